"""A real Starlette app instrumented with app_instrumentation, served by uvicorn in the tests."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from app_instrumentation import ASGIMetricsMiddleware, arg, timed


@timed("inventory_query_seconds", "Time spent querying the inventory.", labels={"kind": arg("kind")})
async def query_inventory(kind: str, item_id: str) -> dict:
    await asyncio.sleep(0.02)
    return {"id": item_id, "kind": kind}


async def item(request):
    return JSONResponse(await query_inventory("item", request.path_params["item_id"]))


async def fail(request):
    return PlainTextResponse("nope\n", status_code=503)


app = Starlette(routes=[Route("/items/{item_id}", item), Route("/fail", fail)],
                middleware=[Middleware(ASGIMetricsMiddleware)])
