"""WSGI and ASGI middleware: the RED metrics of every request, labelled by method, route template and status,
plus requests in flight and a /metrics endpoint.

    http_requests_total{method,route,status}
    http_request_duration_seconds{method,route,status}   (histogram; until the last body byte is sent)
    http_requests_in_progress{method,route}              (gauge; multiprocess mode `livesum`)

The route is the template that matched ("/users/<int:user_id>" in Flask, "/users/{user_id}" in Starlette and
FastAPI, or one of `routes=` given as "/users/{id}" patterns), never the raw path: raw paths make one series
per user id and crawler URL. Requests no route matches are labelled `unmatched`.

Requests in flight are counted from the moment the middleware is called, when the framework has not routed
the request yet (Flask sets `url_rule`, Starlette `scope["route"]`, only inside the app). Their route label
is therefore resolved up front by asking the framework's own router the same question it will answer a
moment later: Starlette's (and FastAPI's) route table, Flask's URL map through `instrument_flask`, or the
`routes=` patterns. Under Starlette that one answer labels all three metrics, so a request is counted in the
series it was in flight in. It differs from the final template only where the app decides the route while
handling the request (it sets `app_instrumentation.route` itself, or a plain app without `routes=`): such
requests are in flight as `unmatched`, the honest answer at that moment, rather than moved to another series
halfway (a gauge series that changes label mid-request would show the request in neither, or in both,
depending on when it is scraped). Asking the router costs a second match (see docs/app-instrumentation.md,
Cost); `instrument_flask(app, resolve_route=None)` does without it.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from time import perf_counter
from typing import Any

from prometheus_client import CollectorRegistry

from app_instrumentation.metrics import counter, gauge, histogram
from app_instrumentation.serve import metrics_response

UNMATCHED = "unmatched"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"})
DEFAULT_EXCLUDE = (r"^/metrics$", r"^/healthz$", r"^/readyz$", r"^/favicon\.ico$")
LABELS = ("method", "route", "status")
IN_PROGRESS_LABELS = ("method", "route")
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

    def __init__(self, registry: CollectorRegistry | None, prefix: str, buckets: Sequence[float] | None,
                 exclude_paths: Sequence[str], routes: Sequence[str], metrics_path: str | None,
                 native_bucket_factor: float | None = None) -> None:
        self.registry = registry
        self.requests = counter(f"{prefix}_requests_total", "Total number of HTTP requests by method, route "
                                "template and status.", LABELS, registry=registry)
        self.duration = histogram(f"{prefix}_request_duration_seconds", "HTTP request duration in seconds by "
                                  "method, route template and status.", LABELS, buckets=buckets, registry=registry,
                                  native_bucket_factor=native_bucket_factor)
        # livesum: a scrape in multiprocess mode adds up the live workers only; a dead worker's requests ended.
        self.in_progress = gauge(f"{prefix}_requests_in_progress", "HTTP requests being served, by method and "
                                 "route template.", IN_PROGRESS_LABELS, registry=registry,
                                 multiprocess_mode="livesum")
        self.exclude = [re.compile(pattern) for pattern in exclude_paths]
        self.routes = compile_routes(routes)
        self.metrics_path = metrics_path
        self._updaters: dict[tuple[str, str, str], tuple[Callable, Callable]] = {}
        self._adders: dict[tuple[str, str], Callable[[float], None]] = {}

    def excluded(self, path: str) -> bool:
        return any(pattern.search(path) for pattern in self.exclude)

    def route_from_patterns(self, path: str) -> str:
        for regex, template in self.routes:
            if regex.match(path):
                return template
        return UNMATCHED

    def started(self, method: str, route: str) -> Callable[[], None]:
        """Count one request in flight; returns what ends it (call it exactly once), on the same series."""
        key = (method if method in KNOWN_METHODS else "other", route)
        add = self._adders.get(key)
        if add is None:
            add = self.in_progress.adder(key)
            if len(self._adders) < 10_000:
                self._adders[key] = add
        add(1.0)
        return _Once(add)

    def record(self, method: str, route: str, status: int | str, seconds: float) -> None:
        key = (method if method in KNOWN_METHODS else "other", route, str(status))
        updaters = self._updaters.get(key)
        if updaters is None:
            updaters = (self.requests.incrementer(key), self.duration.observer(key))
            if len(self._updaters) < 10_000:
                self._updaters[key] = updaters
        updaters[0](1.0)
        updaters[1](seconds)


class _Once:
    """Ends one request in flight: the first call subtracts it, later calls do nothing (a WSGI server may
    close a body twice; an ASGI response may complete and then the app return)."""

    __slots__ = ("_add",)

    def __init__(self, add: Callable[[float], None]) -> None:
        self._add: Callable[[float], None] | None = add

    def __call__(self) -> None:
        add, self._add = self._add, None
        if add is not None:
            add(-1.0)


class WSGIMetricsMiddleware:
    """Wrap a WSGI app: `app.wsgi_app = WSGIMetricsMiddleware(app.wsgi_app)` for Flask.

    `resolve_route(environ)` (given by `instrument_flask`) names the route template before the app runs, for
    requests in flight; without it the `routes=` patterns do."""

    def __init__(self, app: Callable, *, registry: CollectorRegistry | None = None, prefix: str = "http",
                 buckets: Sequence[float] | None = None, exclude_paths: Sequence[str] = DEFAULT_EXCLUDE,
                 routes: Sequence[str] = (), metrics_path: str | None = "/metrics",
                 resolve_route: Callable[[dict], str] | None = None,
                 native_bucket_factor: float | None = None) -> None:
        self.app = app
        self.metrics = _RequestMetrics(registry, prefix, buckets, exclude_paths, routes, metrics_path,
                                       native_bucket_factor)
        self.resolve_route = resolve_route

    def route(self, environ: dict) -> str:
        if ROUTE_KEY in environ:  # set by the framework hook (instrument_flask) or the app itself
            return environ[ROUTE_KEY]
        return self.metrics.route_from_patterns(environ.get("PATH_INFO", ""))

    def route_at_start(self, environ: dict) -> str:
        """The route template as far as it is known before the app runs (see the module docstring)."""
        if ROUTE_KEY in environ:
            return environ[ROUTE_KEY]
        if self.resolve_route is not None:
            return self.resolve_route(environ)
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
        start_route = self.route_at_start(environ)
        finished = self.metrics.started(method, start_route)

        def final_route() -> str:
            if ROUTE_KEY in environ:
                return environ[ROUTE_KEY]
            # Without a resolver the start route came from the same patterns and path: no second match.
            return start_route if self.resolve_route is None else self.metrics.route_from_patterns(path)

        try:
            body = self.app(environ, tracking_start_response)
        except BaseException:
            finished()
            self.metrics.record(method, final_route(), 500, perf_counter() - start)
            raise

        def on_close() -> None:
            finished()
            self.metrics.record(method, final_route(), status[0], perf_counter() - start)

        return _ClosingBody(body, on_close)


class _ClosingBody:
    """The app's response iterable, recording when the server closes it (after the last byte was sent, also of
    a streamed body: PEP 3333 servers call close() whether the iteration finished, failed or was abandoned)."""

    def __init__(self, body: Iterable[bytes], on_close: Callable[[], None]) -> None:
        self._body = body
        self._on_close: Callable[[], None] | None = on_close

    def __iter__(self):
        return iter(self._body)

    def close(self) -> None:
        on_close, self._on_close = self._on_close, None
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            if on_close is not None:  # a second close() must not record the request twice
                on_close()


def _starlette_route(routes: Sequence[Any], scope: dict[str, Any]) -> str | None:
    """The template Starlette's router will pick for this scope (first full match, else first partial one, as
    `Router.app` does), relative to where these routes are mounted, or None when none matches. Through mounts
    the templates are joined ("/api" + "/users/{id}"): a mount's prefix never contributes the concrete path it
    matched. A mount of a plain app is its whole prefix ("/static/{path}").

    Starlette is not imported (the router's presence says it is loaded). A plain `Route` is matched by its own
    rule, path regex then methods, without building the path parameters `Route.matches` converts for the
    endpoint (a quarter of the cost); every other kind (Mount, Host, FastAPI's and custom routes) through its
    `matches()`."""
    routing = sys.modules.get("starlette.routing")
    plain = getattr(getattr(routing, "Route", None), "matches", None)
    route_path = None
    chosen = partial = None
    for candidate in routes:
        if plain is not None and type(candidate).matches is plain:
            if scope["type"] != "http":
                continue
            if route_path is None:
                route_path = routing.get_route_path(scope)
            if candidate.path_regex.match(route_path) is None:
                continue
            if not candidate.methods or scope["method"] in candidate.methods:
                chosen = (candidate, {})
                break
            if partial is None:
                partial = (candidate, {})
            continue
        match, child_scope = candidate.matches(scope)
        if match.name == "FULL":
            chosen = (candidate, child_scope)
            break
        if match.name == "PARTIAL" and partial is None:
            partial = (candidate, child_scope)
    chosen = chosen or partial
    if chosen is None:
        return None
    route, child_scope = chosen
    inner = getattr(route, "routes", None)  # Mount and Host route further; a Route has none
    if inner:
        found = _starlette_route(inner, {**scope, **child_scope})
        return None if found is None else getattr(route, "path", "") + found
    if inner is not None:
        return getattr(route, "path_format", None) or None
    return getattr(route, "path", None) or None


class ASGIMetricsMiddleware:
    """Wrap an ASGI app: `app.add_middleware(ASGIMetricsMiddleware)` (Starlette, FastAPI) or wrap it directly.

    A request is in flight until its response is complete (the last body message sent) or the app returns,
    raises or is cancelled, whichever comes first."""

    def __init__(self, app: Callable, *, registry: CollectorRegistry | None = None, prefix: str = "http",
                 buckets: Sequence[float] | None = None, exclude_paths: Sequence[str] = DEFAULT_EXCLUDE,
                 routes: Sequence[str] = (), metrics_path: str | None = "/metrics",
                 native_bucket_factor: float | None = None) -> None:
        self.app = app
        self.metrics = _RequestMetrics(registry, prefix, buckets, exclude_paths, routes, metrics_path,
                                       native_bucket_factor)

    def route(self, scope: dict[str, Any], resolved: str | None = None, from_patterns: str | None = None) -> str:
        """The route template once the app has run: set by the app, else `resolved` (the router's answer at the
        start), else the route a Starlette router left in the scope, else the `routes=` patterns (`from_patterns`
        when already matched)."""
        if ROUTE_KEY in scope:
            return scope[ROUTE_KEY]
        if resolved is not None:
            return resolved
        matched = scope.get("route")  # Starlette and FastAPI put the matched route in the scope
        template = getattr(matched, "path", None)
        if template:
            return scope.get("root_path", "") + template if scope.get("root_path") else template
        return from_patterns if from_patterns is not None else self.metrics.route_from_patterns(scope.get("path", ""))

    def resolve(self, scope: dict[str, Any]) -> str | None:
        """The template Starlette's (or FastAPI's) router will pick, asked before the app runs (the `routes=`
        patterns when it picks none: usually `unmatched`); None when the app has no such router."""
        # As Starlette middleware, scope["app"] is the Starlette app; wrapping one directly, self.app is.
        for app in (scope.get("app"), self.app):
            routes = getattr(getattr(app, "router", None), "routes", None)
            if routes is not None:
                found = _starlette_route(routes, scope)
                if found is None:
                    return self.metrics.route_from_patterns(scope.get("path", ""))
                root_path = scope.get("root_path")
                return root_path + found if root_path else found
        return None

    def route_at_start(self, scope: dict[str, Any]) -> str:
        """The route template as far as it is known before the app runs (see the module docstring)."""
        if ROUTE_KEY in scope:
            return scope[ROUTE_KEY]
        return self.resolve(scope) or self.metrics.route_from_patterns(scope.get("path", ""))

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
        method = scope.get("method", "GET")
        # One resolution serves all three metrics: the series in flight is the one the request is counted in.
        resolved = from_patterns = None
        if ROUTE_KEY in scope:
            start_route = scope[ROUTE_KEY]
        else:
            resolved = self.resolve(scope)
            if resolved is None:
                from_patterns = self.metrics.route_from_patterns(path)
            start_route = resolved or from_patterns
        finished = self.metrics.started(method, start_route)

        async def tracking_send(message: dict[str, Any]) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                status[0] = message["status"]
            await send(message)
            if kind == "http.response.body" and not message.get("more_body", False):
                finished()  # the response is complete, even if the app still runs background tasks

        try:
            await self.app(scope, receive, tracking_send)
        finally:
            finished()
            self.metrics.record(method, self.route(scope, resolved, from_patterns), status[0],
                                perf_counter() - start)

    async def _serve_metrics(self, scope: dict[str, Any], send: Callable) -> None:
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
        # Rendering (and, in multiprocess mode, reading the worker files) happens off the event loop.
        loop = asyncio.get_running_loop()
        body, response_headers = await loop.run_in_executor(None, metrics_response, headers, self.metrics.registry)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in response_headers]})
        await send({"type": "http.response.body", "body": body})


def instrument_flask(app: Any, **options: Any) -> WSGIMetricsMiddleware:
    """Wrap a Flask app's WSGI callable and record each request's url_rule ("/users/<int:user_id>") as route.

    Requests in flight are labelled before Flask routes them, by matching the app's URL map the way Flask will
    (`create_url_adapter`); a request Flask will not route (404, 405, redirect) is `unmatched`, as it ends.
    `resolve_route=None` skips that second match: requests in flight are then `unmatched`."""
    from flask import request  # imported here: Flask is optional
    from werkzeug.exceptions import HTTPException
    from werkzeug.routing import RoutingException

    @app.before_request
    def _remember_route() -> None:
        if request.url_rule is not None:
            request.environ[ROUTE_KEY] = request.url_rule.rule

    # Matching only path and method needs no per-request adapter (the Request object and bind_to_environ are
    # two thirds of the cost) unless hosts or subdomains take part in routing: then Flask's own adapter is used.
    plain = app.url_map.bind("localhost")

    def resolve_route(environ: dict) -> str:
        try:
            if app.url_map.host_matching or app.subdomain_matching:
                adapter = app.create_url_adapter(app.request_class(environ))
                rule, _ = adapter.match(return_rule=True)
            else:
                path = environ.get("PATH_INFO", "").encode("latin-1").decode(errors="replace")  # as PEP 3333 says
                rule, _ = plain.match(path, environ.get("REQUEST_METHOD", "GET"), return_rule=True)
        except (HTTPException, RoutingException):
            return UNMATCHED
        return rule.rule

    options.setdefault("resolve_route", resolve_route)
    middleware = WSGIMetricsMiddleware(app.wsgi_app, **options)
    app.wsgi_app = middleware
    return middleware
