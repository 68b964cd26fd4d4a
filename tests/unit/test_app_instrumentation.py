"""app_instrumentation: each decorator on each kind of callable measures what it claims; labels from calls;
the cardinality bound; idempotent declarations; exceptions."""

from __future__ import annotations

import asyncio
import time

import pytest

from app_instrumentation import (
    MetricShapeError,
    arg,
    counted,
    counter,
    exception_type,
    exponential_buckets,
    histogram,
    in_progress,
    linear_buckets,
    result,
    timed,
    timer,
)
from app_instrumentation.testing import fresh_registry, sample

BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 1.0)


@pytest.fixture
def registry():
    return fresh_registry()


def bucket_counts(registry, name: str, **labels) -> dict[str, float]:
    return {le: sample(registry, f"{name}_bucket", le=le, **labels) for le in
            ("0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "1.0", "+Inf")}


def assert_one_observation_in(registry, name: str, low: float, high: float) -> None:
    """Exactly one observation, in (low, high]: below `low` no bucket counted it, at `high` one did."""
    assert sample(registry, f"{name}_count") == 1.0
    total = sample(registry, f"{name}_sum")
    assert low < total <= high, total
    counts = bucket_counts(registry, name)
    assert counts[repr(low)] == 0.0 and counts[repr(high)] == 1.0, counts


def test_coroutine_of_50ms_lands_in_the_right_bucket(registry):
    @timed("coro_seconds", "c", buckets=BUCKETS, registry=registry)
    async def handler():
        await asyncio.sleep(0.05)
        return "done"

    assert asyncio.iscoroutinefunction(handler)
    assert asyncio.run(handler()) == "done"
    assert_one_observation_in(registry, "coro_seconds", 0.05, 0.25)


def test_sync_function_and_method(registry):
    class Service:
        @timed("method_seconds", "m", buckets=BUCKETS, registry=registry)
        def call(self, delay):
            time.sleep(delay)
            return self

    service = Service()
    assert service.call(0.03) is service
    assert_one_observation_in(registry, "method_seconds", 0.025, 0.25)
    assert Service.call.__name__ == "call"  # functools.wraps keeps introspection working


def test_generator_is_timed_until_exhausted(registry):
    @timed("gen_seconds", "g", buckets=BUCKETS, registry=registry)
    def numbers():
        for i in range(3):
            time.sleep(0.02)
            yield i

    iterator = numbers()
    assert sample(registry, "gen_seconds_count") == 0.0  # creating it is not the work
    assert list(iterator) == [0, 1, 2]
    assert_one_observation_in(registry, "gen_seconds", 0.05, 0.25)


def test_generator_send_and_early_close_are_forwarded(registry):
    @counted("echo_total", "e", registry=registry)
    def echo():
        received = yield "ready"
        while True:
            received = yield received * 2

    gen = echo()
    assert next(gen) == "ready"
    assert gen.send(21) == 42
    gen.close()
    assert sample(registry, "echo_total") == 1.0


def test_async_generator_is_timed_until_exhausted(registry):
    @timed("agen_seconds", "a", buckets=BUCKETS, registry=registry)
    async def ticks():
        for i in range(2):
            await asyncio.sleep(0.03)
            yield i

    async def consume():
        return [item async for item in ticks()]

    assert asyncio.run(consume()) == [0, 1]
    assert_one_observation_in(registry, "agen_seconds", 0.05, 0.25)


def test_login_counted_by_result_and_exception(registry):
    @counted("logins_total", "Logins by outcome.", registry=registry,
             labels={"result": result(lambda ok: "success" if ok else "failure"), "error": exception_type()})
    def login(user: str, password: str) -> bool:
        if user == "ghost":
            raise LookupError(user)
        return password == "secret"

    assert login("ann", "secret") and not login("ann", "nope") and not login("bob", "bad")
    with pytest.raises(LookupError):
        login("ghost", "x")
    assert sample(registry, "logins_total", result="success", error="none") == 1.0
    assert sample(registry, "logins_total", result="failure", error="none") == 2.0
    assert sample(registry, "logins_total", result="error", error="LookupError") == 1.0


def test_labels_from_arguments_positional_keyword_and_default(registry):
    @counted("orders_total", "o", registry=registry, labels={"plan": arg("plan"), "region": arg("region")})
    def order(item, plan, region="eu"):
        return item

    order("a", "pro")
    order("b", plan="free", region="us")
    order(item="c", plan="pro")
    assert sample(registry, "orders_total", plan="pro", region="eu") == 2.0
    assert sample(registry, "orders_total", plan="free", region="us") == 1.0


def test_unknown_argument_label_is_refused_at_decoration(registry):
    with pytest.raises(ValueError, match="no parameter 'user'"):
        @counted("bad_total", "b", registry=registry, labels={"user": arg("user")})
        def f(x):
            return x


def test_cardinality_bound_maps_overflow_to_other_and_counts_it(registry):
    @counted("searches_total", "s", registry=registry, labels={"term": arg("term")}, max_label_values=5)
    def search(term):
        return term

    for i in range(10):
        search(f"t{i}")
    search("t0")  # an already-seen value keeps its own series
    assert sample(registry, "searches_total", term="t0") == 2.0
    assert sample(registry, "searches_total", term="other") == 5.0
    assert sample(registry, "searches_total", term="t7") is None
    assert sample(registry, "app_instrumentation_label_overflow_total", metric="searches", label="term") == 5.0


def test_declarations_are_idempotent_and_shape_checked(registry):
    first = counter("jobs_total", "Jobs.", ["queue"], registry=registry)
    assert counter("jobs", "Jobs.", ["queue"], registry=registry) is first
    with pytest.raises(MetricShapeError, match=r"already declared as counter with labels \['queue'\]"):
        counter("jobs_total", "Jobs.", ["queue", "priority"], registry=registry)
    with pytest.raises(MetricShapeError, match="cannot declare it as histogram"):
        histogram("jobs", "Jobs.", ["queue"], registry=registry)
    other = fresh_registry()
    assert counter("jobs_total", "Jobs.", ["queue"], registry=other) is not first  # fresh registry, fresh metric


def test_decorating_twice_shares_one_metric(registry):
    @counted("calls_total", "c", registry=registry, labels={"fn": "a"})
    def a():
        pass

    @counted("calls_total", "c", registry=registry, labels={"fn": "b"})
    def b():
        pass

    a(), a(), b()
    assert sample(registry, "calls_total", fn="a") == 2.0 and sample(registry, "calls_total", fn="b") == 1.0


def test_exceptions_propagate_and_are_timed(registry):
    @timed("failing_seconds", "f", registry=registry, labels={"error": exception_type()})
    async def failing():
        raise TimeoutError

    with pytest.raises(TimeoutError):
        asyncio.run(failing())
    assert sample(registry, "failing_seconds_count", error="TimeoutError") == 1.0


def test_in_progress_counts_running_calls(registry):
    seen = []

    @in_progress("running", "r", registry=registry, labels={"queue": arg("queue")})
    async def job(queue):
        seen.append(sample(registry, "running", queue=queue))
        await asyncio.sleep(0.01)

    async def main():
        await asyncio.gather(job("q"), job("q"))

    asyncio.run(main())
    assert seen == [1.0, 2.0]
    assert sample(registry, "running", queue="q") == 0.0


def test_timer_context_manager_with_late_labels(registry):
    latency = histogram("step_seconds", "s", ["step", "result"], buckets=BUCKETS, registry=registry)
    with timer(latency, step="parse") as t:
        time.sleep(0.03)
        t.labels(result="ok")
    assert t.duration >= 0.03
    assert sample(registry, "step_seconds_count", step="parse", result="ok") == 1.0

    async def run():
        async with timer(latency, step="store", result="ok"):
            await asyncio.sleep(0.01)

    asyncio.run(run())
    assert sample(registry, "step_seconds_count", step="store", result="ok") == 1.0
    with pytest.raises(ValueError, match="missing label values"), timer(latency, step="x"):
        pass


def test_fast_histogram_path_matches_prometheus_client(registry):
    """Our bisect-based observe puts values in the same buckets as prometheus_client's linear scan."""
    ours = histogram("ours_seconds", "o", buckets=BUCKETS, registry=registry)
    theirs = histogram("theirs_seconds", "t", buckets=BUCKETS, registry=registry)
    observe = ours.observer()
    for value in (0.0, 0.01, 0.010001, 0.05, 0.3, 1.0, 5.0, -1.0):
        observe(value)
        theirs.metric.observe(value)
    for le in ("0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "1.0", "+Inf"):
        assert sample(registry, "ours_seconds_bucket", le=le) == sample(registry, "theirs_seconds_bucket", le=le)
    assert sample(registry, "ours_seconds_sum") == sample(registry, "theirs_seconds_sum")


def test_bucket_helpers():
    assert linear_buckets(0.1, 0.1, 3) == pytest.approx((0.1, 0.2, 0.3))
    assert exponential_buckets(0.001, 10, 4) == pytest.approx((0.001, 0.01, 0.1, 1.0))
    with pytest.raises(ValueError):
        exponential_buckets(0, 2, 3)


# --- serving /metrics ------------------------------------------------------------------------------------------

def test_start_http_server_with_tls_and_basic_auth(registry, tmp_path):
    import bcrypt
    import requests

    from app_instrumentation import start_http_server
    from testbed.harness import free_port
    from tests.tls import make_pki

    pki = make_pki(tmp_path)
    hashed = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode()
    config = tmp_path / "web.yml"
    config.write_text(f"tls_server_config:\n  cert_file: {pki['server.crt']}\n  key_file: {pki['server.key']}\n"
                      f"basic_auth_users:\n  prometheus: {hashed}\n")
    counter("orders_total", "Orders.", registry=registry).inc(3)
    port = free_port()
    server = start_http_server(port, addr="127.0.0.1", registry=registry, web_config_file=str(config))
    try:
        url = f"https://127.0.0.1:{port}/metrics"
        assert requests.get(url, verify=str(pki["ca.crt"]), timeout=5).status_code == 401
        scraped = requests.get(url, verify=str(pki["ca.crt"]), auth=("prometheus", "pw"), timeout=5,
                               headers={"Accept": "application/openmetrics-text; version=1.0.0"})
        assert scraped.status_code == 200
        assert scraped.headers["Content-Type"].startswith("application/openmetrics-text")
        assert "orders_total 3.0" in scraped.text and scraped.text.endswith("# EOF\n")
    finally:
        server.stop()
        assert server.wait_stopped(10)


def test_start_http_server_works_without_the_suite(monkeypatch, registry):
    import sys

    import requests

    from app_instrumentation import start_http_server

    for name in ("exporter_toolkit", "exporter_toolkit.server", "yaml"):  # as if only the library were installed
        monkeypatch.setitem(sys.modules, name, None)
    counter("batches_total", "Batches.", registry=registry).inc(2)
    server = start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        scraped = requests.get(f"http://127.0.0.1:{server.port}/metrics", timeout=5)
        assert scraped.status_code == 200 and "batches_total 2.0" in scraped.text
        assert requests.get(f"http://127.0.0.1:{server.port}/nothing", timeout=5).status_code == 404
    finally:
        server.stop()
        assert server.wait_stopped(10)


def test_metrics_response_negotiates_and_compresses(registry):
    import gzip

    from app_instrumentation import metrics_response

    counter("jobs_total", "Jobs.", registry=registry).inc()
    body, headers = metrics_response({"accept": "text/plain", "accept-encoding": "gzip"}, registry)
    fields = dict(headers)
    assert fields["Content-Type"].startswith("text/plain") and fields["Content-Encoding"] == "gzip"
    assert "jobs_total 1.0" in gzip.decompress(body).decode() and fields["Content-Length"] == str(len(body))
    body, headers = metrics_response({"Accept": "application/openmetrics-text; version=1.0.0"}, registry)
    assert dict(headers)["Content-Type"].startswith("application/openmetrics-text") and body.endswith(b"# EOF\n")


# --- Requests in flight (http_requests_in_progress) in the WSGI and ASGI middleware -------------------------

def in_flight(registry, method: str, route: str) -> float | None:
    return sample(registry, "http_requests_in_progress", method=method, route=route)


def wsgi_environ(path: str, method: str = "GET") -> dict:
    from werkzeug.test import EnvironBuilder

    return EnvironBuilder(path=path, method=method).get_environ()


def test_wsgi_streamed_body_is_in_flight_until_closed_and_concurrent_requests_add_up(registry):
    from app_instrumentation import WSGIMetricsMiddleware

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"first\n"
        yield b"second\n"

    wrapped = WSGIMetricsMiddleware(app, registry=registry, routes=["/export/{id}"])
    first = wrapped(wsgi_environ("/export/1"), lambda status, headers: None)
    assert in_flight(registry, "GET", "/export/{id}") == 1.0  # called, nothing sent yet
    iterator = iter(first)
    assert next(iterator) == b"first\n"
    second = wrapped(wsgi_environ("/export/2"), lambda status, headers: None)
    assert in_flight(registry, "GET", "/export/{id}") == 2.0
    assert list(iterator) == [b"second\n"]
    assert in_flight(registry, "GET", "/export/{id}") == 2.0  # fully iterated, but not closed yet
    first.close()
    assert in_flight(registry, "GET", "/export/{id}") == 1.0
    assert sample(registry, "http_requests_total", method="GET", route="/export/{id}", status="200") == 1.0
    second.close()  # abandoned after no item: closed all the same
    second.close()  # a second close counts nothing twice
    assert in_flight(registry, "GET", "/export/{id}") == 0.0
    # Closed before the generator ran: start_response was never called, the request ended without a response.
    assert sample(registry, "http_requests_total", method="GET", route="/export/{id}", status="500") == 1.0


def test_wsgi_exception_ends_the_request_in_flight(registry):
    from app_instrumentation import WSGIMetricsMiddleware

    def app(environ, start_response):
        assert in_flight(registry, "POST", "/jobs") == 1.0
        raise RuntimeError("boom")

    wrapped = WSGIMetricsMiddleware(app, registry=registry, routes=["/jobs"])
    with pytest.raises(RuntimeError):
        wrapped(wsgi_environ("/jobs", "POST"), lambda status, headers: None)
    assert in_flight(registry, "POST", "/jobs") == 0.0
    assert sample(registry, "http_requests_total", method="POST", route="/jobs", status="500") == 1.0


def test_wsgi_excluded_and_metrics_paths_are_not_in_flight(registry):
    from app_instrumentation import WSGIMetricsMiddleware

    seen = []

    def app(environ, start_response):
        start_response("200 OK", [])
        seen.append(sample(registry, "http_requests_in_progress", method="GET", route="unmatched"))
        return [b"OK\n"]

    wrapped = WSGIMetricsMiddleware(app, registry=registry)
    assert b"".join(wrapped(wsgi_environ("/healthz"), lambda status, headers: None)) == b"OK\n"
    assert seen == [None]  # no series was ever created for the excluded path
    body = b"".join(wrapped(wsgi_environ("/metrics"), lambda status, headers: None))
    assert b"# TYPE http_requests_in_progress gauge" in body


def test_flask_request_in_flight_has_its_url_rule_before_flask_routes_it(registry):
    flask = pytest.importorskip("flask")
    from app_instrumentation import instrument_flask

    app = flask.Flask("inflight")
    seen = {}

    @app.get("/users/<int:user_id>")
    def user(user_id: int):
        seen["during"] = in_flight(registry, "GET", "/users/<int:user_id>")
        return "ok"

    @app.get("/straße/<name>")
    def street(name: str):
        seen["street"] = in_flight(registry, "GET", "/straße/<name>")
        return name

    instrument_flask(app, registry=registry)
    client = app.test_client()
    with client.get("/straße/x") as response:  # a non-ASCII path, latin-1 in the WSGI environ
        assert response.status_code == 200 and seen["street"] == 1.0
    response = client.get("/users/7")
    assert response.status_code == 200 and seen["during"] == 1.0
    assert in_flight(registry, "GET", "/users/<int:user_id>") == 1.0  # until the server closes the body
    response.close()
    assert in_flight(registry, "GET", "/users/<int:user_id>") == 0.0
    for method, path, status in (("POST", "/users/7", 405), ("GET", "/nowhere", 404)):
        with client.open(path, method=method) as response:  # Flask does not route these: unmatched
            assert response.status_code == status
    assert in_flight(registry, "POST", "unmatched") == 0.0 and in_flight(registry, "GET", "unmatched") == 0.0
    assert sample(registry, "http_requests_total", method="POST", route="unmatched", status="405") == 1.0
    assert in_flight(registry, "GET", "/nowhere") is None  # raw paths never become labels


def test_flask_without_resolution_keeps_templates_for_the_counters(registry):
    flask = pytest.importorskip("flask")
    from app_instrumentation import instrument_flask

    app = flask.Flask("unresolved")
    seen = {}

    @app.get("/users/<int:user_id>")
    def user(user_id: int):
        seen["during"] = in_flight(registry, "GET", "unmatched")
        return "ok"

    instrument_flask(app, registry=registry, resolve_route=None)
    with app.test_client().get("/users/7") as response:
        assert response.status_code == 200
    assert seen["during"] == 1.0 and in_flight(registry, "GET", "unmatched") == 0.0
    assert in_flight(registry, "GET", "/users/<int:user_id>") is None
    assert sample(registry, "http_requests_total", method="GET", route="/users/<int:user_id>", status="200") == 1.0


class ASGIClient:
    """Drives an ASGI app in-process: one coroutine per request, the response messages collected."""

    def __init__(self, app) -> None:
        self.app = app

    async def request(self, path: str, method: str = "GET") -> list[dict]:
        sent = []
        received = iter([{"type": "http.request", "body": b"", "more_body": False}])

        async def receive():
            try:
                return next(received)
            except StopIteration:
                await asyncio.Event().wait()  # a client that never disconnects

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
                 "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
        await self.app(scope, receive, send)
        return sent


async def wait_until(condition, timeout: float = 5.0) -> None:
    """Poll a condition on the event loop, with a deadline (no sleeping as synchronisation)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached before the deadline"
        await asyncio.sleep(0.001)


def starlette_app(registry, release: asyncio.Event, entered: list):
    pytest.importorskip("starlette")
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route

    from app_instrumentation import ASGIMetricsMiddleware

    async def item(request):
        entered.append(request.path_params["item_id"])
        await release.wait()
        return PlainTextResponse("ok\n")

    async def broken(request):
        raise RuntimeError("boom")

    return Starlette(routes=[Route("/items/{item_id}", item), Route("/broken", broken),
                             Mount("/api", routes=[Route("/v1/items/{item_id}", item)])],
                     middleware=[Middleware(ASGIMetricsMiddleware, registry=registry)])


def test_asgi_held_open_requests_are_in_flight_by_route_template_then_zero(registry):
    async def scenario():
        release, entered = asyncio.Event(), []
        client = ASGIClient(starlette_app(registry, release, entered))
        tasks = [asyncio.create_task(client.request(path)) for path in ("/items/1", "/items/2", "/api/v1/items/3")]
        await wait_until(lambda: len(entered) == 3)
        assert in_flight(registry, "GET", "/items/{item_id}") == 2.0
        assert in_flight(registry, "GET", "/api/v1/items/{item_id}") == 1.0
        release.set()
        responses = await asyncio.gather(*tasks)
        assert [messages[0]["status"] for messages in responses] == [200, 200, 200]
        assert in_flight(registry, "GET", "/items/{item_id}") == 0.0
        assert in_flight(registry, "GET", "/api/v1/items/{item_id}") == 0.0
        # The same templates as the counters: the route known at the start is the one recorded at the end.
        assert sample(registry, "http_requests_total", method="GET", route="/items/{item_id}", status="200") == 2.0
        assert sample(registry, "http_requests_total", method="GET", route="/api/v1/items/{item_id}",
                      status="200") == 1.0

    asyncio.run(scenario())


def test_asgi_exception_and_cancellation_end_the_request_in_flight(registry):
    async def scenario():
        release, entered = asyncio.Event(), []
        client = ASGIClient(starlette_app(registry, release, entered))
        with pytest.raises(RuntimeError):
            await client.request("/broken")
        assert in_flight(registry, "GET", "/broken") == 0.0
        assert sample(registry, "http_requests_total", method="GET", route="/broken", status="500") == 1.0
        task = asyncio.create_task(client.request("/items/9"))
        await wait_until(lambda: entered == ["9"])
        assert in_flight(registry, "GET", "/items/{item_id}") == 1.0
        task.cancel()  # the server cancels a request whose client went away
        with pytest.raises(asyncio.CancelledError):
            await task
        assert in_flight(registry, "GET", "/items/{item_id}") == 0.0

    asyncio.run(scenario())


def test_asgi_request_ends_when_the_response_is_complete_not_when_background_work_does(registry):
    from app_instrumentation import ASGIMetricsMiddleware

    async def scenario():
        background_done = asyncio.Event()
        observed = []

        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"part", "more_body": True})
            observed.append(in_flight(registry, "GET", "/report"))
            await send({"type": "http.response.body", "body": b"end"})
            observed.append(in_flight(registry, "GET", "/report"))  # response complete, app still running
            background_done.set()

        messages = await ASGIClient(ASGIMetricsMiddleware(app, registry=registry, routes=["/report"])) \
            .request("/report")
        assert background_done.is_set() and len(messages) == 3
        assert observed == [1.0, 0.0]
        assert in_flight(registry, "GET", "/report") == 0.0  # and not decremented twice

    asyncio.run(scenario())


def test_route_known_at_the_start_is_the_one_starlette_picks(registry):
    pytest.importorskip("starlette")
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route

    from app_instrumentation import ASGIMetricsMiddleware

    async def endpoint(request):
        return PlainTextResponse("ok\n")

    async def static_files(scope, receive, send):
        await PlainTextResponse("file\n")(scope, receive, send)

    app = Starlette(routes=[
        Route("/", endpoint), Route("/items/new", endpoint, methods=["POST"]), Route("/items/{id:int}", endpoint),
        Mount("/api", routes=[Route("/v1/{name}", endpoint, methods=["PUT"]),
                              Mount("/admin", routes=[Route("/users/{id}", endpoint)])]),
        Mount("/shops/{shop}", routes=[Route("/orders", endpoint)]),
        Mount("/static", app=static_files)])
    middleware = ASGIMetricsMiddleware(app, registry=registry)  # wrapped directly: the router is self.app's
    started, recorded = [], []
    original_started, original_record = middleware.metrics.started, middleware.metrics.record
    middleware.metrics.started = lambda method, route: (started.append(route), original_started(method, route))[1]
    middleware.metrics.record = lambda method, route, *rest: (recorded.append(route),
                                                              original_record(method, route, *rest))[1]
    # (method, path, status Starlette answers, the route template: the router's choice, mount prefixes joined)
    requests = [("GET", "/", 200, "/"), ("POST", "/items/new", 200, "/items/new"),
                ("GET", "/items/new", 405, "/items/new"), ("GET", "/items/7", 200, "/items/{id:int}"),
                ("DELETE", "/items/7", 405, "/items/{id:int}"), ("PUT", "/api/v1/x", 200, "/api/v1/{name}"),
                ("GET", "/api/v1/x", 405, "/api/v1/{name}"),
                ("GET", "/api/admin/users/3", 200, "/api/admin/users/{id}"),
                ("GET", "/shops/17/orders", 200, "/shops/{shop}/orders"), ("GET", "/api/nothing", 404, "unmatched"),
                ("GET", "/static/app.css", 200, "/static/{path}"), ("GET", "/items/seven", 404, "unmatched"),
                ("GET", "/nowhere", 404, "unmatched")]

    async def scenario():
        client = ASGIClient(middleware)
        statuses = []
        for method, path, _, _ in requests:
            messages = await client.request(path, method)
            statuses.append(messages[0]["status"])
        return statuses

    statuses = asyncio.run(scenario())
    assert statuses == [status for _, _, status, _ in requests]
    assert started == [route for _, _, _, route in requests]
    assert recorded == started  # the gauge's series is the one the request is then counted in
    assert sample(registry, "http_requests_in_progress", method="DELETE", route="/items/{id:int}") == 0.0
