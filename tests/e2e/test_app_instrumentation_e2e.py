"""A real WSGI app (Flask under gunicorn, several recycled workers, multiprocess mode) and a real ASGI app
(Starlette under uvicorn), driven over HTTP and scraped by a real Prometheus; PromQL returns the expected
rates and quantiles, and one scrape of the WSGI app sums every worker, dead ones included; requests held open
on gunicorn workers are in flight in every scrape until they end or their worker is killed."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
import requests

from testbed.harness import free_port, start_daemon, wait_for
from tests.conftest import REPO
from tests.exposition import samples
from tests.prometheus import query, running_prometheus, wait_for_series

pytestmark = pytest.mark.e2e


def start_gunicorn(tmp_path, app: str, max_requests: int):
    """Two gunicorn workers, recycled every `max_requests`, sharing a fresh multiprocess directory."""
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    port = free_port()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc), "PYTHONPATH": str(REPO)}
    daemon = start_daemon("gunicorn", [sys.executable, "-m", "gunicorn", "-w", "2", "--max-requests",
                                       str(max_requests), "-c", str(REPO / "tests" / "apps" / "gunicorn_conf.py"),
                                       "-b", f"127.0.0.1:{port}", app],
                          port, str(tmp_path / "gunicorn.log"), ready_path="/healthz", env=env)
    return daemon, multiproc


@pytest.fixture
def wsgi_app(tmp_path):
    daemon, multiproc = start_gunicorn(tmp_path, "tests.apps.wsgi_app:app", 40)
    yield daemon, multiproc
    daemon.stop()


@pytest.fixture
def asgi_app(tmp_path):
    port = free_port()
    daemon = start_daemon("uvicorn", [sys.executable, "-m", "uvicorn", "--port", str(port), "--host", "127.0.0.1",
                                      "tests.apps.asgi_app:app"], port, str(tmp_path / "uvicorn.log"),
                          ready_path="/metrics", env={**os.environ, "PYTHONPATH": str(REPO)})
    yield daemon
    daemon.stop()


def drive_wsgi(port: int, users: int, logins_ok: int, logins_bad: int) -> None:
    session = requests.Session()
    for i in range(users):
        assert session.get(f"http://127.0.0.1:{port}/users/{i}", timeout=10).status_code == 200
    for _ in range(logins_ok):
        session.post(f"http://127.0.0.1:{port}/login", data={"user": "ann", "password": "secret"}, timeout=10)
    for _ in range(logins_bad):
        session.post(f"http://127.0.0.1:{port}/login", data={"user": "ann", "password": "x"}, timeout=10)


def test_wsgi_under_gunicorn_sums_all_workers_and_folds_dead_ones(wsgi_app):
    daemon, multiproc = wsgi_app
    drive_wsgi(daemon.port, users=150, logins_ok=30, logins_bad=20)  # 200 requests: workers recycle at ~40
    text = requests.get(f"http://127.0.0.1:{daemon.port}/metrics", timeout=10).text
    values = samples(text)
    users = (("method", "GET"), ("route", "/users/<int:user_id>"), ("status", "200"))
    assert values[("http_requests_total", users)] == 150.0
    assert values[("http_request_duration_seconds_count", users)] == 150.0
    assert values[("http_requests_total", (("method", "POST"), ("route", "/login"), ("status", "200")))] == 30.0
    assert values[("http_requests_total", (("method", "POST"), ("route", "/login"), ("status", "401")))] == 20.0
    assert values[("logins_total", (("result", "success"),))] == 30.0
    assert values[("logins_total", (("result", "failure"),))] == 20.0
    assert values[("user_lookup_seconds_count", ())] == 150.0
    assert not any("/users/1" in str(key) for key in values)  # raw paths never become labels
    # Workers were recycled several times, yet only live workers' files and one archive per type remain.
    counter_files = sorted(p.name for p in Path(multiproc).glob("counter_*.db"))
    assert "counter_archive.db" in counter_files
    assert len(counter_files) <= 1 + 2 + 1, counter_files  # archive + live workers (+ one being replaced)


def test_prometheus_promql_over_both_apps(tmp_path, wsgi_app, asgi_app):
    wsgi, _ = wsgi_app
    scrape = [{"job_name": "wsgi", "static_configs": [{"targets": [f"127.0.0.1:{wsgi.port}"]}]},
              {"job_name": "asgi", "static_configs": [{"targets": [f"127.0.0.1:{asgi_app.port}"]}]}]
    with running_prometheus(tmp_path, scrape) as prometheus:
        wait_for_series(prometheus, 'up{job="asgi"} == 1')
        wait_for_series(prometheus, 'up{job="wsgi"} == 1')
        session = requests.Session()
        deadline = time.monotonic() + 60

        def traffic():
            for i in range(10):
                session.get(f"http://127.0.0.1:{asgi_app.port}/items/{i}", timeout=10)
            session.get(f"http://127.0.0.1:{asgi_app.port}/fail", timeout=10)
            drive_wsgi(wsgi.port, users=5, logins_ok=2, logins_bad=1)

        # Keep traffic flowing until Prometheus has seen every counter move (two scrapes apart): a series first
        # scraped after the traffic stopped would never show a rate.
        expressions = {
            "route": 'sum(rate(http_requests_total{job="asgi",route="/items/{item_id}"}[1m])) > 0',
            "p90": 'histogram_quantile(0.9, sum by (le) (rate(inventory_query_seconds_bucket{job="asgi"}[1m]))) > 0',
            "errors": 'sum(rate(http_requests_total{job="asgi",status="503"}[1m])) > 0',
            "logins": 'sum by (result) (rate(logins_total{job="wsgi"}[1m])) > 0',
        }
        results: dict[str, list] = {}
        while time.monotonic() < deadline:
            traffic()
            results = {key: query(prometheus, expr) for key, expr in expressions.items()}
            if all(results.values()) and len(results["logins"]) == 2:
                break
        missing = [expressions[key] for key, found in results.items() if not found]
        assert not missing, f"no rate after 60 s of traffic: {missing}"
        assert 0.02 <= float(results["p90"][0]["value"][1]) <= 0.25  # the handler sleeps 20 ms
        assert {series["metric"]["result"] for series in results["logins"]} == {"success", "failure"}
        routes = query(prometheus, 'count by (route) (http_requests_total{job="asgi"})')
        assert {series["metric"]["route"] for series in routes} == {"/items/{item_id}", "/fail"}


IN_FLIGHT = ("http_requests_in_progress", (("method", "GET"), ("route", "/exports/<int:export_id>")))


def test_requests_in_flight_under_gunicorn_sum_workers_and_forget_a_killed_one(tmp_path):
    """Streamed responses held open on two gunicorn workers: a scrape answered by a third sums both; a worker
    killed mid-request stops counting its requests; a released stream ends at 0."""
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    release = tmp_path / "release"
    port = free_port()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc), "PYTHONPATH": str(REPO),
           "INFLIGHT_RELEASE": str(release)}
    daemon = start_daemon("gunicorn", [sys.executable, "-m", "gunicorn", "-w", "3",
                                       "-c", str(REPO / "tests" / "apps" / "gunicorn_conf.py"),
                                       "-b", f"127.0.0.1:{port}", "tests.apps.inflight_app:app"],
                          port, str(tmp_path / "gunicorn.log"), ready_path="/healthz", env=env)
    streams, lines = [], {}
    try:
        def in_flight() -> float:
            text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            return samples(text).get(IN_FLIGHT, 0.0)

        # A sync worker streaming a response accepts nothing else: two streams hold two of the three workers,
        # the third answers the scrapes, which sum the other two.
        for _ in range(2):
            stream = requests.get(f"http://127.0.0.1:{port}/exports/{len(streams)}", stream=True, timeout=30)
            lines[stream] = stream.iter_lines()
            assert next(lines[stream]) == f"export {len(streams)}".encode()  # it is being served
            streams.append(stream)
        assert len({stream.headers["X-Worker-Pid"] for stream in streams}) == 2
        assert in_flight() == len(streams)  # answered by the idle worker, whose own count is 0

        victim = int(streams[0].headers["X-Worker-Pid"])
        survivors = [stream for stream in streams if int(stream.headers["X-Worker-Pid"]) != victim]
        os.kill(victim, signal.SIGKILL)  # no clean-up in the worker: its requests simply stop
        wait_for(lambda: in_flight() == len(survivors), timeout=30, what="the killed worker's requests gone")
        assert not (multiproc / f"gauge_livesum_{victim}.db").exists()

        release.touch()
        for stream in survivors:
            assert list(lines[stream]) == [b"done"]
            stream.close()
        wait_for(lambda: in_flight() == 0.0, timeout=30, what="no request in flight")
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        completed = samples(text)[("http_requests_total", (("method", "GET"), ("route", "/exports/<int:export_id>"),
                                                           ("status", "200")))]
        assert completed == len(survivors)  # the killed worker's requests never completed
    finally:
        release.touch()
        for stream in streams:
            stream.close()
        daemon.stop()


# Native histograms and exemplars through the real Prometheus 2.42 ---------------------------------------------

NATIVE_FLAGS = ["--enable-feature=native-histograms,exemplar-storage"]


def _scrape_job(name: str, port: int) -> dict:
    return {"job_name": name, "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}


def _value(prometheus, expr: str, expected=None) -> float:
    """The single value of `expr` once it exists (and equals `expected`, when given)."""
    def ready():
        result = query(prometheus, expr)
        if result and (expected is None or float(result[0]["value"][1]) == expected):
            return float(result[0]["value"][1])
        return None
    return wait_for(ready, timeout=60, interval=0.5, what=f"{expr} = {expected}")


def _exemplar_trace_ids(prometheus, expr: str) -> set[str]:
    now = time.time()
    response = requests.get(f"http://127.0.0.1:{prometheus.port}/api/v1/query_exemplars",
                            params={"query": expr, "start": now - 600, "end": now + 60}, timeout=10)
    response.raise_for_status()
    return {exemplar["labels"].get("trace_id") for series in response.json()["data"]
            for exemplar in series["exemplars"]}


def test_native_histogram_scraped_by_prometheus(tmp_path):
    """20,000 log-normal latencies: count and sum exact, quantiles within the schema's relative error, exemplars
    stored; a Prometheus without the feature scrapes the same app in the classic format."""
    import math
    import random

    from app_instrumentation import counter, histogram, start_http_server
    from app_instrumentation.native import pick_schema
    from app_instrumentation.testing import fresh_registry

    registry = fresh_registry()
    latency = histogram("checkout_latency_seconds", "Checkout latency.", native_bucket_factor=1.1, registry=registry)
    checkouts = counter("checkouts_total", "Checkouts.", registry=registry)
    rng = random.Random(2023)
    values = [rng.lognormvariate(math.log(0.08), 0.9) for _ in range(20_000)]
    for value in values:
        latency.observe(value)
    server = start_http_server(0, addr="127.0.0.1", registry=registry)
    (tmp_path / "native").mkdir()
    (tmp_path / "classic").mkdir()
    try:
        with running_prometheus(tmp_path / "native", [_scrape_job("app", server.port)], flags=NATIVE_FLAGS) as native, \
                running_prometheus(tmp_path / "classic", [_scrape_job("app", server.port)]) as classic:
            assert _value(native, "histogram_count(checkout_latency_seconds)", 20_000) == 20_000
            assert _value(native, "histogram_sum(checkout_latency_seconds)") == pytest.approx(sum(values), rel=1e-12)
            ordered = sorted(values)
            allowed = 2 ** (2.0 ** -pick_schema(1.1)) - 1  # a quantile lands in the true one's bucket
            errors = {}
            for q in (0.5, 0.9, 0.99):
                exact = ordered[math.ceil(q * len(ordered)) - 1]
                estimate = _value(native, f"histogram_quantile({q}, checkout_latency_seconds)")
                errors[q] = abs(estimate - exact) / exact
                assert errors[q] <= allowed, (q, estimate, exact)
            print(f"native histogram quantile relative errors (allowed {allowed:.4f}): "
                  + ", ".join(f"q{q}={error:.4%}" for q, error in errors.items()))
            # the classic scrape of the same app: count and sum of the native-only histogram, as client_golang
            assert _value(classic, "checkout_latency_seconds_count", 20_000) == 20_000
            assert _value(classic, "checkout_latency_seconds_sum") == pytest.approx(sum(values), rel=1e-12)
            assert _value(classic, 'checkout_latency_seconds_bucket{le="+Inf"}') == 20_000
            # exemplars, one at a time as each scrape keeps the latest
            trace_ids = [f"{rng.getrandbits(128):032x}" for _ in range(3)]
            for trace_id in trace_ids:
                latency.observe(rng.lognormvariate(math.log(0.08), 0.9), exemplar={"trace_id": trace_id})
                checkouts.inc(exemplar={"trace_id": trace_id})
                wait_for(lambda t=trace_id: t in _exemplar_trace_ids(native, "checkout_latency_seconds"),
                         timeout=30, interval=0.5, what=f"exemplar {trace_id}")
            assert set(trace_ids) <= _exemplar_trace_ids(native, "checkout_latency_seconds")
            wait_for(lambda: set(trace_ids) & _exemplar_trace_ids(native, "checkouts_total"), timeout=30,
                     interval=0.5, what="counter exemplars")
            assert _value(native, "histogram_count(checkout_latency_seconds)", 20_003) == 20_003
    finally:
        server.stop()


def test_native_histogram_of_gunicorn_workers_equals_one_process(tmp_path):
    """Recycled gunicorn workers each observe part of the data; Prometheus reads the merged native histogram
    and it answers every query exactly as one process that observed everything does."""
    from app_instrumentation import histogram, start_http_server
    from app_instrumentation.testing import fresh_registry
    from tests.apps.native_app import latencies

    gunicorn, multiproc = start_gunicorn(tmp_path, "tests.apps.native_app:app", 4)
    port = gunicorn.port
    registry = fresh_registry()
    single = histogram("job_latency_seconds", "Job latency.", native_bucket_factor=1.1, registry=registry)
    server = start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        session = requests.Session()
        for seed in range(20):
            assert session.get(f"http://127.0.0.1:{port}/observe", params={"seed": seed, "n": 500},
                               timeout=30).status_code == 200
            for value in latencies(seed, 500):
                single.observe(value)
        assert any(name.startswith("nativehistogram_archive") for name in os.listdir(multiproc)), \
            "no worker was recycled: the test would not cover folded workers"
        jobs = [_scrape_job("gunicorn", port), _scrape_job("single", server.port)]
        (tmp_path / "prometheus").mkdir()
        with running_prometheus(tmp_path / "prometheus", jobs, flags=NATIVE_FLAGS) as prometheus:
            for job in ("gunicorn", "single"):
                _value(prometheus, f'histogram_count(job_latency_seconds{{job="{job}"}})', 10_000)
            for expr in ("histogram_sum({})", "histogram_quantile(0.5, {})", "histogram_quantile(0.9, {})",
                         "histogram_quantile(0.99, {})", "histogram_fraction(0, 0.05, {})"):
                merged = _value(prometheus, expr.format('job_latency_seconds{job="gunicorn"}'))
                one = _value(prometheus, expr.format('job_latency_seconds{job="single"}'))
                assert merged == pytest.approx(one, rel=1e-12), expr
    finally:
        server.stop()
        gunicorn.stop()
