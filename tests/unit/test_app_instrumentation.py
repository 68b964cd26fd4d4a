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


def test_start_http_server_says_what_to_install_without_the_suite(monkeypatch):
    import sys

    from app_instrumentation import start_http_server

    monkeypatch.setitem(sys.modules, "exporter_toolkit.server", None)  # as if exporter-suite were not installed
    with pytest.raises(ImportError, match="pip install exporter-suite"):
        start_http_server(0, addr="127.0.0.1")


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
