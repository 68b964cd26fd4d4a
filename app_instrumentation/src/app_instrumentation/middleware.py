"""WSGI and ASGI middleware: the RED metrics of every request, labelled by method, route template and status,
plus a /metrics endpoint.

    http_requests_total{method,route,status}
    http_request_duration_seconds{method,route,status}   (histogram; until the last body byte is sent)

The route is the template that matched ("/users/<int:user_id>" in Flask, "/users/{user_id}" in Starlette and
FastAPI, or one of `routes=` given as "/users/{id}" patterns), never the raw path: raw paths make one series
per user id and crawler URL. Requests no route matches are labelled `unmatched`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable, Sequence
from time import perf_counter
from typing import Any

from prometheus_client import CollectorRegistry

from app_instrumentation.metrics import DEFAULT_BUCKETS, counter, histogram
from app_instrumentation.serve import metrics_response

UNMATCHED = "unmatched"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"})
DEFAULT_EXCLUDE = (r"^/metrics$", r"^/healthz$", r"^/readyz$", r"^/favicon\.ico$")
LABELS = ("method", "route", "status")
# Where a framework hook or the app leaves the matched route template (WSGI environ or ASGI scope).
ROUTE_KEY = "app_instrumentation.route"


def compile_routes(patterns: Sequence[str]) -> list[tuple[re.Pattern, str]]:
    """"/users/{id}/orders/{order}" -> a regex matching one path segment per placeholder."""
    compiled = []
    for pattern in patterns:
        regex = re.sub(r"\\\{[^/}]+\\\}", "[^/]+", re.escape(pattern))
        compiled.append((re.compile(f"^{regex}$"), pattern))
    return compiled


class _RequestMetrics:
    """What both middlewares share: the two metrics, exclusions, route patterns, and recording."""

    def __init__(self, registry: CollectorRegistry | None, prefix: str, buckets: Sequence[float],
                 exclude_paths: Sequence[str], routes: Sequence[str], metrics_path: str | None) -> None:
        self.registry = registry
        self.requests = counter(f"{prefix}_requests_total", "Total number of HTTP requests by method, route "
                                "template and status.", LABELS, registry=registry)
        self.duration = histogram(f"{prefix}_request_duration_seconds", "HTTP request duration in seconds by "
                                  "method, route template and status.", LABELS, buckets=buckets, registry=registry)
        self.exclude = [re.compile(pattern) for pattern in exclude_paths]
        self.routes = compile_routes(routes)
        self.metrics_path = metrics_path
        self._updaters: dict[tuple[str, str, str], tuple[Callable, Callable]] = {}

    def excluded(self, path: str) -> bool:
        return any(pattern.search(path) for pattern in self.exclude)

    def route_from_patterns(self, path: str) -> str:
        for regex, template in self.routes:
            if regex.match(path):
                return template
        return UNMATCHED

    def record(self, method: str, route: str, status: int | str, seconds: float) -> None:
        key = (method if method in KNOWN_METHODS else "other", route, str(status))
        updaters = self._updaters.get(key)
        if updaters is None:
            updaters = (self.requests.incrementer(key), self.duration.observer(key))
            if len(self._updaters) < 10_000:
                self._updaters[key] = updaters
        updaters[0](1.0)
        updaters[1](seconds)


class WSGIMetricsMiddleware:
    """Wrap a WSGI app: `app.wsgi_app = WSGIMetricsMiddleware(app.wsgi_app)` for Flask."""

    def __init__(self, app: Callable, *, registry: CollectorRegistry | None = None, prefix: str = "http",
                 buckets: Sequence[float] = DEFAULT_BUCKETS, exclude_paths: Sequence[str] = DEFAULT_EXCLUDE,
                 routes: Sequence[str] = (), metrics_path: str | None = "/metrics") -> None:
        self.app = app
        self.metrics = _RequestMetrics(registry, prefix, buckets, exclude_paths, routes, metrics_path)

    def route(self, environ: dict) -> str:
        if ROUTE_KEY in environ:  # set by the framework hook (instrument_flask) or the app itself
            return environ[ROUTE_KEY]
        return self.metrics.route_from_patterns(environ.get("PATH_INFO", ""))

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if self.metrics.metrics_path and path == self.metrics.metrics_path:
            headers = {"accept": environ.get("HTTP_ACCEPT", ""),
                       "accept-encoding": environ.get("HTTP_ACCEPT_ENCODING", "")}
            body, response_headers = metrics_response(headers, self.metrics.registry)
            start_response("200 OK", response_headers)
            return [body]
        if self.metrics.excluded(path):
            return self.app(environ, start_response)
        start = perf_counter()
        status = ["500"]

        def tracking_start_response(status_line: str, headers, exc_info=None):
            status[0] = status_line.split(" ", 1)[0]
            if exc_info is None:
                return start_response(status_line, headers)
            return start_response(status_line, headers, exc_info)

        method = environ.get("REQUEST_METHOD", "GET")
        try:
            body = self.app(environ, tracking_start_response)
        except BaseException:
            self.metrics.record(method, self.route(environ), 500, perf_counter() - start)
            raise
        return _ClosingBody(body, lambda: self.metrics.record(method, self.route(environ), status[0],
                                                              perf_counter() - start))


class _ClosingBody:
    """The app's response iterable, recording when the server closes it (after the last byte was sent)."""

    def __init__(self, body: Iterable[bytes], on_close: Callable[[], None]) -> None:
        self._body = body
        self._on_close = on_close

    def __iter__(self):
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._on_close()


class ASGIMetricsMiddleware:
    """Wrap an ASGI app: `app.add_middleware(ASGIMetricsMiddleware)` (Starlette, FastAPI) or wrap it directly."""

    def __init__(self, app: Callable, *, registry: CollectorRegistry | None = None, prefix: str = "http",
                 buckets: Sequence[float] = DEFAULT_BUCKETS, exclude_paths: Sequence[str] = DEFAULT_EXCLUDE,
                 routes: Sequence[str] = (), metrics_path: str | None = "/metrics") -> None:
        self.app = app
        self.metrics = _RequestMetrics(registry, prefix, buckets, exclude_paths, routes, metrics_path)

    def route(self, scope: dict[str, Any]) -> str:
        if ROUTE_KEY in scope:
            return scope[ROUTE_KEY]
        matched = scope.get("route")  # Starlette and FastAPI put the matched route in the scope
        template = getattr(matched, "path", None)
        if template:
            return scope.get("root_path", "") + template if scope.get("root_path") else template
        return self.metrics.route_from_patterns(scope.get("path", ""))

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if self.metrics.metrics_path and path == self.metrics.metrics_path:
            await self._serve_metrics(scope, send)
            return
        if self.metrics.excluded(path):
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        status = [500]

        async def tracking_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            self.metrics.record(scope.get("method", "GET"), self.route(scope), status[0], perf_counter() - start)

    async def _serve_metrics(self, scope: dict[str, Any], send: Callable) -> None:
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
        # Rendering (and, in multiprocess mode, reading the worker files) happens off the event loop.
        loop = asyncio.get_running_loop()
        body, response_headers = await loop.run_in_executor(None, metrics_response, headers, self.metrics.registry)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in response_headers]})
        await send({"type": "http.response.body", "body": body})


def instrument_flask(app: Any, **options: Any) -> WSGIMetricsMiddleware:
    """Wrap a Flask app's WSGI callable and record each request's url_rule ("/users/<int:user_id>") as route."""
    from flask import request  # imported here: Flask is optional

    @app.before_request
    def _remember_route() -> None:
        if request.url_rule is not None:
            request.environ[ROUTE_KEY] = request.url_rule.rule

    middleware = WSGIMetricsMiddleware(app.wsgi_app, **options)
    app.wsgi_app = middleware
    return middleware
