"""The instrumented demo app of the local stack (Starlette under uvicorn): logins counted by result,
orders timed, a route that sometimes fails, RED metrics by route template on /metrics."""

from __future__ import annotations

import asyncio
import random

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
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


LANDING = """<!doctype html>
<html><head><meta charset="utf-8"><title>Demo app</title></head>
<body>
<h1>Demo app</h1>
<p>The local stack's instrumented app (Starlette, app_instrumentation). The stack sends it steady traffic;
Prometheus scrapes its metrics as job <code>apps</code>.</p>
<ul>
<li><a href="/metrics">/metrics</a>: request rates, errors and latency by route template, login results</li>
<li><a href="/orders/42">/orders/{order_id}</a>: an order (about one in twenty answers 503)</li>
<li><code>POST /login</code> with <code>{"user": "ann", "password": "secret"}</code>: 200 or 401</li>
<li><a href="/healthz">/healthz</a></li>
</ul>
</body></html>
"""


async def landing(request: Request):
    """What a browser opening the app's URL sees: what the app is and where its routes are."""
    return HTMLResponse(LANDING)


app = Starlette(routes=[Route("/", landing), Route("/login", login, methods=["POST"]),
                        Route("/orders/{order_id}", order), Route("/healthz", healthz)],
                middleware=[Middleware(ASGIMetricsMiddleware)])
