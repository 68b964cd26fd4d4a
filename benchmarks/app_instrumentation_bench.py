"""Overhead per decorated call against the hand-written prometheus_client equivalent, in one run; with
--middleware also the cost the WSGI and ASGI middleware add to one request (all three of its metrics).

Each pair does the same thing: count a call, or time it into a histogram (unlabelled, labelled by an
argument, and around a coroutine). Prints ns per call (best of several timeit repeats) and ours/hand-written.
Middleware: ns per request of a minimal app called bare and wrapped (routes= patterns for WSGI and plain
ASGI; a Starlette app of 10 routes, whose route the middleware resolves before the app runs), in process,
no server and no socket: what remains is the middleware's own work.
Native (--native): ns per observe() of log-normal latencies into a native histogram (factor 1.1) against a
classic one, both through prometheus_client's public observe() and through the decorators' fast path.

    python -m benchmarks.app_instrumentation_bench [--calls 200000] [--middleware] [--native] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import timeit
from time import perf_counter

from prometheus_client import CollectorRegistry, Counter, Histogram

from app_instrumentation import ASGIMetricsMiddleware, WSGIMetricsMiddleware, arg, counted, exemplars, histogram, timed

ROUTES = [f"/resource{i}/{{id}}" for i in range(9)] + ["/orders/{id}"]


def build(registry: CollectorRegistry) -> dict[str, tuple]:
    hand_counter = Counter("hand_calls", "c", registry=registry)
    hand_hist = Histogram("hand_seconds", "h", registry=registry)
    hand_labelled = Histogram("hand_route_seconds", "h", ["route"], registry=registry)
    hand_coro_hist = Histogram("hand_coro_seconds", "h", registry=registry)

    def hand_count():
        hand_counter.inc()

    def hand_time():
        start = perf_counter()
        try:
            pass
        finally:
            hand_hist.observe(perf_counter() - start)

    def hand_labelled_time(route):
        start = perf_counter()
        try:
            pass
        finally:
            hand_labelled.labels(route).observe(perf_counter() - start)

    async def hand_coroutine():
        start = perf_counter()
        try:
            pass
        finally:
            hand_coro_hist.observe(perf_counter() - start)

    @counted("ours_calls", "c", registry=registry)
    def our_count():
        pass

    @timed("ours_seconds", "h", registry=registry)
    def our_time():
        pass

    @timed("ours_route_seconds", "h", labels={"route": arg("route")}, registry=registry)
    def our_labelled_time(route):
        pass

    @timed("ours_coro_seconds", "h", registry=registry)
    async def our_coroutine():
        pass

    def drive(coroutine_function):
        def run():
            coroutine = coroutine_function()
            with contextlib.suppress(StopIteration):  # a coroutine that never awaits finishes on first send
                coroutine.send(None)
        return run

    return {
        "counter": (our_count, hand_count),
        "histogram": (our_time, hand_time),
        "labelled histogram": (lambda: our_labelled_time("/orders"), lambda: hand_labelled_time("/orders")),
        "coroutine": (drive(our_coroutine), drive(hand_coroutine)),
    }


def middleware_cases(registry: CollectorRegistry, wsgi=WSGIMetricsMiddleware, asgi=ASGIMetricsMiddleware,
                     ) -> dict[str, tuple]:
    """name -> (bare request, instrumented request); the classes are parameters so that another version of
    the middleware can be measured the same way."""
    environ = {"PATH_INFO": "/orders/42", "REQUEST_METHOD": "GET"}

    def wsgi_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    def wsgi_request(app):
        def run():
            body = app(environ, lambda status, headers: None)
            for _ in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return run

    scope = {"type": "http", "method": "GET", "path": "/orders/42", "root_path": "", "query_string": b"",
             "headers": []}
    start = {"type": "http.response.start", "status": 200, "headers": []}
    body = {"type": "http.response.body", "body": b"ok"}

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        pass

    async def asgi_app(scope, receive, send):
        await send(start)
        await send(body)

    def asgi_request(app, request_scope):
        def run():
            coroutine = app(dict(request_scope), receive, send)
            with contextlib.suppress(StopIteration):  # nothing suspends: done on the first send
                coroutine.send(None)
        return run

    cases = {
        "WSGI middleware": (wsgi_request(wsgi_app), wsgi_request(wsgi(wsgi_app, registry=registry, routes=ROUTES))),
        "ASGI middleware": (asgi_request(asgi_app, scope),
                            asgi_request(asgi(asgi_app, registry=registry, prefix="asgi", routes=ROUTES), scope)),
    }
    try:
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route, Router
    except ImportError:  # Starlette is optional
        return cases

    async def endpoint(request):
        return PlainTextResponse("ok")

    router = Router(routes=[Route(template.replace("{id}", "{id:int}"), endpoint) for template in ROUTES])
    # As Starlette middleware: the Starlette app in scope["app"], the router after the middleware.
    starlette_scope = {**scope, "app": type("App", (), {"router": router})()}
    cases["ASGI Starlette, 10 routes"] = (
        asgi_request(router, starlette_scope),
        asgi_request(asgi(router, registry=registry, prefix="starlette"), starlette_scope))
    return cases


def run_middleware(calls: int, repeats: int = 5, cases: dict[str, tuple] | None = None) -> dict[str, dict[str, float]]:
    results = {}
    for name, (bare, ours) in (cases or middleware_cases(CollectorRegistry())).items():
        bare_ns, ours_ns = ns_per_call(bare, calls, repeats), ns_per_call(ours, calls, repeats)
        results[name] = {"bare_ns": bare_ns, "ours_ns": ours_ns, "added_ns": ours_ns - bare_ns}
    return results


def run_native(calls: int, repeats: int = 5) -> dict[str, dict[str, float]]:
    """observe() on a native histogram (factor 1.1, no classic buckets) against a classic one (default buckets):
    prometheus_client's Histogram.observe, and the per-child updater the decorators and middleware use. With
    opentelemetry-api installed the native side also looks up the current span (automatic exemplars)."""
    registry = CollectorRegistry()
    rng = random.Random(1)
    values = [rng.lognormvariate(-3, 1) for _ in range(1000)]
    classic = Histogram("classic_seconds", "h", registry=registry)
    native = histogram("native_seconds", "h", native_bucket_factor=1.1, registry=registry)
    classic_fast = histogram("classic_fast_seconds", "h", registry=registry).observer(())
    native_fast = native.observer(())
    loops = max(1, calls // len(values))
    pairs = {"observe()": (native.metric.observe, classic.observe), "decorator path": (native_fast, classic_fast)}
    results = run_native_pairs(pairs, values, loops, repeats)
    if exemplars.AUTOMATIC.on:  # opentelemetry-api is installed: the same without the span lookup
        exemplars.set_automatic(False)
        try:
            results |= {f"{name}, no span lookup": row
                        for name, row in run_native_pairs(pairs, values, loops, repeats).items()}
        finally:
            exemplars.set_automatic(True)
    return results


def run_native_pairs(pairs: dict[str, tuple], values: list[float], loops: int, repeats: int,
                     ) -> dict[str, dict[str, float]]:
    def loop(observe):
        def run():
            for value in values:
                observe(value)
        return run

    results = {}
    for name, (ours, reference) in pairs.items():
        # interleaved, best of each: load on a shared machine hits both sides alike
        native_ns = classic_ns = float("inf")
        for _ in range(repeats):
            native_ns = min(native_ns, ns_per_call(loop(ours), loops, 1) / len(values))
            classic_ns = min(classic_ns, ns_per_call(loop(reference), loops, 1) / len(values))
        results[name] = {"native_ns": native_ns, "classic_ns": classic_ns, "ratio": native_ns / classic_ns}
    return results


def ns_per_call(func, calls: int, repeats: int) -> float:
    return min(timeit.repeat(func, number=calls, repeat=repeats)) / calls * 1e9


def run(calls: int, repeats: int = 5) -> dict[str, dict[str, float]]:
    results = {}
    for name, (ours, hand) in build(CollectorRegistry()).items():
        ours_ns, hand_ns = ns_per_call(ours, calls, repeats), ns_per_call(hand, calls, repeats)
        results[name] = {"ours_ns": ours_ns, "hand_ns": hand_ns, "ratio": ours_ns / hand_ns}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--middleware", action="store_true", help="also time the WSGI and ASGI middleware "
                        "(a fifth of --calls requests per repeat)")
    parser.add_argument("--native", action="store_true", help="also time observe() on a native histogram against "
                        "a classic one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.calls)
    middleware = run_middleware(max(1, args.calls // 5)) if args.middleware else {}
    native = run_native(args.calls) if args.native else {}
    if args.json:
        print(json.dumps({**results, **({"middleware": middleware} if middleware else {}),
                          **({"native": native} if native else {})}, indent=2))
        return
    print(f"app_instrumentation: ns per call, best of 5 x {args.calls} calls")
    print(f"{'':22}{'ours':>10}{'hand':>10}{'ratio':>8}")
    for name, row in results.items():
        print(f"{name:22}{row['ours_ns']:>10.0f}{row['hand_ns']:>10.0f}{row['ratio']:>8.2f}")
    if middleware:
        print(f"\nmiddleware: ns per request, best of 5 x {max(1, args.calls // 5)} requests")
        print(f"{'':28}{'bare':>10}{'wrapped':>10}{'added':>10}")
        for name, row in middleware.items():
            print(f"{name:28}{row['bare_ns']:>10.0f}{row['ours_ns']:>10.0f}{row['added_ns']:>10.0f}")
    if native:
        print(f"\nnative histogram observe(): ns per observation, best of 5 x {args.calls} log-normal values")
        print(f"{'':34}{'native':>10}{'classic':>10}{'ratio':>8}")
        for name, row in native.items():
            print(f"{name:34}{row['native_ns']:>10.0f}{row['classic_ns']:>10.0f}{row['ratio']:>8.2f}")


if __name__ == "__main__":
    main()
