"""The instrumented demo app of the local stack (Starlette under uvicorn): logins counted by result,
orders timed, a route that sometimes fails, RED metrics by route template on /metrics."""

from __future__ import annotations

import asyncio
import random

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from app_instrumentation import ASGIMetricsMiddleware, arg, counted, result, timed

USERS = {"ann": "secret", "bob": "hunter2"}


@counted("logins_total", "Login attempts by result.",
         labels={"result": result(lambda ok: "success" if ok else "failure")})
def check_login(user: str, password: str) -> bool:
    return USERS.get(user) == password


@timed("order_lookup_seconds", "Time to look an order up.", labels={"source": arg("source")})
async def lookup_order(order_id: str, source: str) -> dict:
    await asyncio.sleep(random.uniform(0.005, 0.05))
    return {"id": order_id, "source": source}


async def login(request: Request):
    form = await request.json()
    ok = check_login(form.get("user", ""), form.get("password", ""))
    return PlainTextResponse("welcome\n" if ok else "denied\n", status_code=200 if ok else 401)


async def order(request: Request):
    if random.random() < 0.05:
        return PlainTextResponse("database timeout\n", status_code=503)
    return JSONResponse(await lookup_order(request.path_params["order_id"], "db"))


async def healthz(request: Request):
    return PlainTextResponse("OK\n")


app = Starlette(routes=[Route("/login", login, methods=["POST"]), Route("/orders/{order_id}", order),
                        Route("/healthz", healthz)],
                middleware=[Middleware(ASGIMetricsMiddleware)])
