"""Multiprocess mode: several worker processes, one scrape sums them; dead workers' files are folded so the
directory (and the scrape) stays small however many workers have come and gone, and nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app_instrumentation.multiprocess import fold_dead_workers, scrape_registry
from exporter_toolkit.exposition import render_text
from tests.conftest import REPO
from tests.exposition import samples

WORKER = """
from app_instrumentation import counted, histogram
jobs = histogram("job_seconds", "Job durations.", buckets=(0.1, 1.0))

@counted("jobs_total", "Jobs done.")
def job():
    pass

for _ in range({n}):
    job()
    jobs.observe(0.5)
"""


def run_worker(directory: str, calls: int) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": directory, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", WORKER.format(n=calls)], env=env, check=True, timeout=60)


def scrape(directory: str, monkeypatch) -> dict[tuple, float]:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", directory)
    return samples(render_text(scrape_registry().collect()).decode())


@pytest.fixture
def directory(tmp_path):
    path = tmp_path / "multiproc"
    path.mkdir()
    return str(path)


def test_one_scrape_sums_every_worker_and_folding_keeps_the_directory_small(directory, monkeypatch):
    for worker in range(25):
        run_worker(directory, calls=worker + 1)
    expected = sum(range(1, 26))  # 325 calls in all
    values = scrape(directory, monkeypatch)
    assert values[("jobs_total", ())] == expected
    assert values[("job_seconds_count", ())] == expected
    assert values[("job_seconds_bucket", (("le", "1.0"),))] == expected
    assert values[("job_seconds_bucket", (("le", "0.1"),))] == 0.0
    files = sorted(os.listdir(directory))
    assert [f for f in files if f.endswith(".db")] == ["counter_archive.db", "histogram_archive.db"], files
    # More workers come and go; the sums only grow, the directory does not.
    for _ in range(5):
        run_worker(directory, calls=10)
    values = scrape(directory, monkeypatch)
    assert values[("jobs_total", ())] == expected + 50
    assert len([f for f in os.listdir(directory) if f.endswith(".db")]) == 2


def test_live_workers_are_never_folded(directory, monkeypatch):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": directory, "PYTHONPATH": str(REPO)}
    live = subprocess.Popen([sys.executable, "-c", WORKER.format(n=3) + "\nimport sys; sys.stdin.read()"],
                            env=env, stdin=subprocess.PIPE)
    try:
        from testbed.harness import wait_for
        wait_for(lambda: os.path.exists(os.path.join(directory, f"counter_{live.pid}.db")), what="worker file")
        run_worker(directory, calls=2)
        assert fold_dead_workers(directory) == 2  # the dead worker's counter and histogram files
        assert os.path.exists(os.path.join(directory, f"counter_{live.pid}.db"))
        wait_for(lambda: scrape(directory, monkeypatch)[("jobs_total", ())] == 5.0, what="live + folded sum")
    finally:
        live.communicate(b"", timeout=30)


HOLDING = """
import sys
from app_instrumentation import WSGIMetricsMiddleware

def app(environ, start_response):
    start_response("200 OK", [])
    yield b"streaming"

wrapped = WSGIMetricsMiddleware(app, routes=["/export/{{id}}"])
held = [wrapped({{"PATH_INFO": f"/export/{{i}}", "REQUEST_METHOD": "GET"}}, lambda status, headers: None)
        for i in range({n})]
print("holding", flush=True)
sys.stdin.readline()  # a line: close the held requests; end of input: exit with them still open
for body in held:
    b"".join(body)
    body.close()
print("closed", flush=True)
sys.stdin.readline()
"""


def holding_worker(directory: str, requests_open: int) -> subprocess.Popen:
    """A worker process with `requests_open` streamed WSGI responses in flight, left open until told."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": directory, "PYTHONPATH": str(REPO)}
    worker = subprocess.Popen([sys.executable, "-c", HOLDING.format(n=requests_open)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert worker.stdout.readline() == "holding\n"
    return worker


IN_FLIGHT = ("http_requests_in_progress", (("method", "GET"), ("route", "/export/{id}")))


def test_requests_in_flight_sum_live_workers_and_a_killed_worker_disappears(directory, monkeypatch):
    first = holding_worker(directory, requests_open=2)
    second = holding_worker(directory, requests_open=3)
    try:
        assert scrape(directory, monkeypatch)[IN_FLIGHT] == 5.0
        # Killed without any clean-up (no child_exit, no close): its requests are not in flight any more.
        second.kill()
        second.wait(timeout=30)
        assert os.path.exists(os.path.join(directory, f"gauge_livesum_{second.pid}.db"))
        values = scrape(directory, monkeypatch)
        assert values[IN_FLIGHT] == 2.0
        assert not os.path.exists(os.path.join(directory, f"gauge_livesum_{second.pid}.db"))
        # The live worker's requests end normally: its gauge goes back to 0 and stays in the scrape.
        first.stdin.write("\n")
        first.stdin.flush()
        assert first.stdout.readline() == "closed\n"
        values = scrape(directory, monkeypatch)
        assert values[IN_FLIGHT] == 0.0
        assert values[("http_requests_total", (("method", "GET"), ("route", "/export/{id}"), ("status", "200")))] == 2
    finally:
        for worker in (first, second):
            if worker.poll() is None:
                worker.communicate("", timeout=30)


def test_mark_process_dead_removes_live_gauges_and_folds_the_rest(directory, monkeypatch):
    from app_instrumentation.multiprocess import mark_process_dead

    worker = holding_worker(directory, requests_open=1)
    worker.stdin.write("\n")
    worker.stdin.flush()
    assert worker.stdout.readline() == "closed\n"
    worker.communicate("", timeout=30)  # exits after one request completed
    mark_process_dead(worker.pid, directory)  # what gunicorn's child_exit hook calls
    assert sorted(f for f in os.listdir(directory) if f.endswith(".db")) == ["counter_archive.db",
                                                                          "histogram_archive.db"]
    values = scrape(directory, monkeypatch)
    assert IN_FLIGHT not in values
    assert values[("http_requests_total", (("method", "GET"), ("route", "/export/{id}"), ("status", "200")))] == 1


NATIVE_WORKER = """
import random, sys
from app_instrumentation import histogram
latency = histogram("native_job_seconds", "Job durations.", ["queue"], native_bucket_factor=1.1,
                    buckets=(0.1, 1.0), native_max_buckets=40)
rng = random.Random({seed})
for _ in range({n}):
    latency.labels("q").observe(rng.lognormvariate(-2, {sigma}) * rng.choice((1, 1, 1, -1)))
if {hold}:
    print("ready", flush=True)
    sys.stdin.read()
"""


def native_values(seed: int, n: int, sigma: float) -> list[float]:
    import random

    rng = random.Random(seed)
    return [rng.lognormvariate(-2, sigma) * rng.choice((1, 1, 1, -1)) for _ in range(n)]


def test_native_histograms_of_all_workers_merge_into_what_one_process_observes(directory, monkeypatch):
    """Workers at different schemas (a narrow one keeps schema 3, wide ones hit the bucket limit and halve their
    resolution), live and dead, merge bucket by bucket into one histogram at the coarsest schema."""
    from app_instrumentation.native import NativeConfig, NativeHistogramChild

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": directory, "PYTHONPATH": str(REPO)}
    plan = [(1, 3000, 0.2), (2, 3000, 3.0), (3, 2000, 1.5)]  # (seed, observations, spread)
    live = subprocess.Popen([sys.executable, "-c", NATIVE_WORKER.format(seed=4, n=1000, sigma=0.5, hold=True)],
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert live.stdout.readline().strip() == b"ready"
        for seed, n, sigma in plan:
            subprocess.run([sys.executable, "-c", NATIVE_WORKER.format(seed=seed, n=n, sigma=sigma, hold=False)],
                           env=env, check=True, timeout=60)
        family = next(f for f in scrape_registry_with(directory, monkeypatch) if f.name == "native_job_seconds")
    finally:
        live.communicate(b"", timeout=30)
    (merged,) = family.native.values()
    everything = [v for seed, n, sigma in [*plan, (4, 1000, 0.5)] for v in native_values(seed, n, sigma)]
    one = NativeHistogramChild(NativeConfig(1.1, max_buckets=40), (0.1, 1.0))
    for value in everything:
        one.observe(value)
    whole = one.snapshot()
    assert merged.schema <= 2  # a wide worker halved its resolution; the merge is at the coarsest schema
    target = min(merged.schema, whole.schema)
    assert merged.reduced(target).positive == whole.reduced(target).positive
    assert merged.reduced(target).negative == whole.reduced(target).negative
    assert (merged.count, merged.zero_count) == (whole.count, whole.zero_count) == (len(everything), 0)
    assert merged.total == pytest.approx(sum(everything))
    text = {(s.name, s.labels.get("le")): s.value for s in family.samples}
    assert text[("native_job_seconds_bucket", "1.0")] == sum(1 for v in everything if v <= 1.0)
    assert text[("native_job_seconds_count", None)] == len(everything)
    assert sorted(f for f in os.listdir(directory) if f.startswith("nativehistogram_")) == \
        sorted(["nativehistogram_archive.db", f"nativehistogram_{live.pid}.db"])


def scrape_registry_with(directory: str, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", directory)
    return list(scrape_registry().collect())
