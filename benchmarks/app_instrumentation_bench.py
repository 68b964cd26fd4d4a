"""Overhead per decorated call against the hand-written prometheus_client equivalent, in one run; with
--middleware also the cost the WSGI and ASGI middleware add to one request (all three of its metrics).

Each pair does the same thing, for every decorator kind (a counter, a histogram of durations, a gauge of calls
in progress, a counter labelled by the exception raised, a histogram labelled by an argument, a counter labelled
by the result) on each shape of function (plain, coroutine, generator, async generator): the decorated
function against the same metric updates written inline in the function with prometheus_client. Prints ns per
call (the best of interleaved rounds of each side), the ratio of the bests and the median of the rounds'
ratios.
Middleware: ns per request of a minimal app called bare and wrapped (routes= patterns for WSGI and plain
ASGI; a Starlette app of 10 routes, whose route the middleware resolves before the app runs), in process,
no server and no socket: what remains is the middleware's own work.
Native (--native): ns per observe() of log-normal latencies into a native histogram (factor 1.1) against a
classic one, both through prometheus_client's public observe() and through the decorators' fast path.

    python -m benchmarks.app_instrumentation_bench [--calls 20000] [--rounds 7] [--middleware] [--native] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import random
import statistics
import timeit
from collections.abc import Callable
from time import perf_counter

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from app_instrumentation import (
    ASGIMetricsMiddleware,
    WSGIMetricsMiddleware,
    arg,
    counted,
    exception_type,
    exemplars,
    histogram,
    in_progress,
    result,
    timed,
)

ROUTES = [f"/resource{i}/{{id}}" for i in range(9)] + ["/orders/{id}"]


SHAPES = ("function", "coroutine", "generator", "async generator")


def _bodies():
    """The decorated work, one per shape: nothing but a return value (and one item for the generators)."""

    def function(route):
        return True

    async def coroutine(route):
        return True

    def generator(route):
        yield 1
        return True

    async def async_generator(route):
        yield 1

    return dict(zip(SHAPES, (function, coroutine, generator, async_generator), strict=True))


def _hand_counter(registry: CollectorRegistry) -> tuple:
    metric = Counter("hand_calls", "c", registry=registry)

    def function(route):
        try:
            return True
        finally:
            metric.inc()

    async def coroutine(route):
        try:
            return True
        finally:
            metric.inc()

    def generator(route):
        try:
            yield 1
            return True
        finally:
            metric.inc()

    async def async_generator(route):
        try:
            yield 1
        finally:
            metric.inc()

    return function, coroutine, generator, async_generator


def _hand_histogram(registry: CollectorRegistry) -> tuple:
    metric = Histogram("hand_seconds", "h", registry=registry)

    def function(route):
        start = perf_counter()
        try:
            return True
        finally:
            metric.observe(perf_counter() - start)

    async def coroutine(route):
        start = perf_counter()
        try:
            return True
        finally:
            metric.observe(perf_counter() - start)

    def generator(route):
        start = perf_counter()
        try:
            yield 1
            return True
        finally:
            metric.observe(perf_counter() - start)

    async def async_generator(route):
        start = perf_counter()
        try:
            yield 1
        finally:
            metric.observe(perf_counter() - start)

    return function, coroutine, generator, async_generator


def _hand_in_progress(registry: CollectorRegistry) -> tuple:
    metric = Gauge("hand_running", "g", registry=registry)

    def function(route):
        metric.inc()
        try:
            return True
        finally:
            metric.dec()

    async def coroutine(route):
        metric.inc()
        try:
            return True
        finally:
            metric.dec()

    def generator(route):
        metric.inc()
        try:
            yield 1
            return True
        finally:
            metric.dec()

    async def async_generator(route):
        metric.inc()
        try:
            yield 1
        finally:
            metric.dec()

    return function, coroutine, generator, async_generator


def _hand_exceptions(registry: CollectorRegistry) -> tuple:
    metric = Counter("hand_outcomes", "c", ["exception"], registry=registry)

    def function(route):
        try:
            outcome = True
        except BaseException as error:
            metric.labels(type(error).__name__).inc()
            raise
        metric.labels("none").inc()
        return outcome

    async def coroutine(route):
        try:
            outcome = True
        except BaseException as error:
            metric.labels(type(error).__name__).inc()
            raise
        metric.labels("none").inc()
        return outcome

    def generator(route):
        try:
            yield 1
            outcome = True
        except BaseException as error:
            metric.labels(type(error).__name__).inc()
            raise
        metric.labels("none").inc()
        return outcome

    async def async_generator(route):
        try:
            yield 1
        except BaseException as error:
            metric.labels(type(error).__name__).inc()
            raise
        metric.labels("none").inc()

    return function, coroutine, generator, async_generator


def _hand_arg_label(registry: CollectorRegistry) -> tuple:
    metric = Histogram("hand_route_seconds", "h", ["route"], registry=registry)

    def function(route):
        start = perf_counter()
        try:
            return True
        finally:
            metric.labels(route).observe(perf_counter() - start)

    async def coroutine(route):
        start = perf_counter()
        try:
            return True
        finally:
            metric.labels(route).observe(perf_counter() - start)

    def generator(route):
        start = perf_counter()
        try:
            yield 1
            return True
        finally:
            metric.labels(route).observe(perf_counter() - start)

    async def async_generator(route):
        start = perf_counter()
        try:
            yield 1
        finally:
            metric.labels(route).observe(perf_counter() - start)

    return function, coroutine, generator, async_generator


def _hand_result_label(registry: CollectorRegistry) -> tuple:
    metric = Counter("hand_results", "c", ["result"], registry=registry)

    def function(route):
        try:
            outcome = True
        except BaseException:
            metric.labels("error").inc()
            raise
        metric.labels("ok" if outcome else "denied").inc()
        return outcome

    async def coroutine(route):
        try:
            outcome = True
        except BaseException:
            metric.labels("error").inc()
            raise
        metric.labels("ok" if outcome else "denied").inc()
        return outcome

    def generator(route):
        try:
            yield 1
            outcome = True
        except BaseException:
            metric.labels("error").inc()
            raise
        metric.labels("ok" if outcome else "denied").inc()
        return outcome

    async def async_generator(route):  # an async generator returns nothing: its result is None
        try:
            yield 1
        except BaseException:
            metric.labels("error").inc()
            raise
        metric.labels("denied").inc()

    return function, coroutine, generator, async_generator


def _ours(registry: CollectorRegistry) -> dict[str, Callable]:
    """Each decorator kind, as a decorator of the bodies."""
    return {
        "counter": counted("ours_calls", "c", registry=registry),
        "histogram": timed("ours_seconds", "h", registry=registry),
        "in progress": in_progress("ours_running", "g", registry=registry),
        "exceptions": counted("ours_outcomes", "c", labels={"exception": exception_type()}, registry=registry),
        "arg label": timed("ours_route_seconds", "h", labels={"route": arg("route")}, registry=registry),
        "result label": counted("ours_results", "c", labels={"result": result(lambda ok: "ok" if ok else "denied")},
                                registry=registry),
    }


def _driver(shape: str, func: Callable) -> Callable[[], None]:
    """One complete call of func("/orders"): a coroutine run to its end, a generator exhausted."""
    if shape == "function":
        return functools.partial(func, "/orders")
    if shape == "coroutine":
        def run_coroutine():
            try:  # noqa: SIM105 - contextlib.suppress would add its own cost to both sides
                func("/orders").send(None)  # nothing suspends: done on the first send
            except StopIteration:
                pass
        return run_coroutine
    if shape == "generator":
        def run_generator():
            for _ in func("/orders"):
                pass
        return run_generator

    async def consume():
        async for _ in func("/orders"):
            pass

    def run_async_generator():
        try:  # noqa: SIM105
            consume().send(None)
        except StopIteration:
            pass
    return run_async_generator


def build(registry: CollectorRegistry) -> dict[str, tuple]:
    """"kind, shape" -> (decorated call, hand-written call): the same metric updates, inline in the hand one."""
    hand = {"counter": _hand_counter, "histogram": _hand_histogram, "in progress": _hand_in_progress,
            "exceptions": _hand_exceptions, "arg label": _hand_arg_label, "result label": _hand_result_label}
    cases = {}
    for kind, decorator in _ours(registry).items():
        written = dict(zip(SHAPES, hand[kind](registry), strict=True))
        for shape, body in _bodies().items():
            cases[f"{kind}, {shape}"] = (_driver(shape, decorator(body)), _driver(shape, written[shape]))
    return cases


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


def run(calls: int, rounds: int = 7) -> dict[str, dict[str, float]]:
    """Interleaved rounds (ours then hand, then the other way round), so that load hits both sides alike:
    the best round of each side, their ratio, and the median of the rounds' own ratios."""
    results = {}
    for name, (ours, hand) in build(CollectorRegistry()).items():
        ours_ns, hand_ns, ratios = [], [], []
        for index in range(rounds):
            first, second = (ours, hand) if index % 2 == 0 else (hand, ours)
            first_ns, second_ns = ns_per_call(first, calls, 1), ns_per_call(second, calls, 1)
            mine, theirs = (first_ns, second_ns) if index % 2 == 0 else (second_ns, first_ns)
            ours_ns.append(mine)
            hand_ns.append(theirs)
            ratios.append(mine / theirs)
        results[name] = {"ours_ns": min(ours_ns), "hand_ns": min(hand_ns), "ratio": min(ours_ns) / min(hand_ns),
                         "median_ratio": statistics.median(ratios)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="calls per round and side")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per decorator kind and shape")
    parser.add_argument("--middleware", action="store_true", help="also time the WSGI and ASGI middleware "
                        "(--calls requests per repeat)")
    parser.add_argument("--native", action="store_true", help="also time observe() on a native histogram against "
                        "a classic one (5 x --calls observations)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.calls, args.rounds)
    middleware = run_middleware(args.calls) if args.middleware else {}
    native = run_native(5 * args.calls) if args.native else {}
    if args.json:
        print(json.dumps({**results, **({"middleware": middleware} if middleware else {}),
                          **({"native": native} if native else {})}, indent=2))
        return
    print(f"app_instrumentation: ns per call, best of {args.rounds} interleaved rounds x {args.calls} calls")
    print(f"{'':34}{'ours':>8}{'hand':>8}{'ratio':>8}{'median':>8}")
    for name, row in results.items():
        print(f"{name:34}{row['ours_ns']:>8.0f}{row['hand_ns']:>8.0f}{row['ratio']:>8.2f}{row['median_ratio']:>8.2f}")
    if middleware:
        print(f"\nmiddleware: ns per request, best of 5 x {args.calls} requests")
        print(f"{'':28}{'bare':>10}{'wrapped':>10}{'added':>10}")
        for name, row in middleware.items():
            print(f"{name:28}{row['bare_ns']:>10.0f}{row['ours_ns']:>10.0f}{row['added_ns']:>10.0f}")
    if native:
        print(f"\nnative histogram observe(): ns per observation, best of 5 x {5 * args.calls} log-normal values")
        print(f"{'':34}{'native':>10}{'classic':>10}{'ratio':>8}")
        for name, row in native.items():
            print(f"{name:34}{row['native_ns']:>10.0f}{row['classic_ns']:>10.0f}{row['ratio']:>8.2f}")


if __name__ == "__main__":
    main()
