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
