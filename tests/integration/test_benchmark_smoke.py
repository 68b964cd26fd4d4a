"""The benchmarks keep working: a few scrapes of each exporter, every figure present. No timing asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, require_binary

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(("module", "binaries", "min_series"), [
    ("benchmarks.node_exporter_bench", ("prometheus-node-exporter",), 200),
    ("benchmarks.mysql_exporter_bench", ("prometheus-mysqld-exporter", "mariadbd"), 800),
])
def test_benchmark_smoke(module, binaries, min_series):
    for binary in binaries:
        require_binary(binary)
    result = subprocess.run([sys.executable, "-m", module, "--scrapes", "5", "--json"],
                            cwd=REPO, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    if module == "benchmarks.mysql_exporter_bench":  # two modes: default scrapers, and every scraper on
        assert results["all"]["ours"]["series"] > 3 * results["default"]["ours"]["series"]
        assert set(results["all"]["ratio"]) == set(results["default"]["ratio"])
        floor = results["floor"]  # the interpreter alone, then with the libraries imported: more
        assert 0 < floor["interpreter_mb"] < floor["libraries_mb"]
        results = results["default"]
    for name in ("ours", "go"):
        assert results[name]["series"] > min_series
        assert results[name]["p50_ms"] > 0 and results[name]["rss_mb"] > 0
    assert set(results["ratio"]) == {"p50_ms", "p99_ms", "cpu_s_per_1000", "rss_mb", "series"}
    if module == "benchmarks.node_exporter_bench":  # its second mode: plain GETs on new connections, no gzip
        plain = results["plain"]
        assert plain["ours"]["series"] == results["ours"]["series"] and plain["go"]["p50_ms"] > 0
        assert set(plain["ratio"]) == set(results["ratio"]) and len(results["targets"]) == 5
        floor = results["floor"]  # the scrape's file system calls, replayed: some per collector, timed
        assert floor["calls"] == sum(row["calls"] for row in floor["collectors"].values()) > 50
        assert 0 < floor["floor_ms"] < floor["scrape_ms"] and "netclass" in floor["collectors"]


def test_app_instrumentation_benchmark_smoke():
    result = subprocess.run([sys.executable, "-m", "benchmarks.app_instrumentation_bench", "--calls", "500",
                             "--rounds", "2", "--json"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    kinds = ("counter", "histogram", "in progress", "exceptions", "arg label", "result label")
    shapes = ("function", "coroutine", "generator", "async generator")
    assert set(results) == {f"{kind}, {shape}" for kind in kinds for shape in shapes}
    for row in results.values():
        assert row["ours_ns"] > 0 and row["hand_ns"] > 0 and row["ratio"] > 0 and row["median_ratio"] > 0


def test_kube_state_benchmark_smoke():
    result = subprocess.run([sys.executable, "-m", "benchmarks.kube_state_bench", "--pods", "300", "--scrapes", "2",
                             "--events", "3", "--json"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["pods"] == 300 and row["series"] > 300 * 30
    assert row["sync_s"] > 0 and row["scrape_p50_ms"] > 0 and row["rss_mb"] > 0 and row["event_p99_ms"] > 0


def test_connections_benchmark_smoke():
    require_binary("prometheus-node-exporter")
    result = subprocess.run([sys.executable, "-m", "benchmarks.connections_bench", "--connections", "300",
                             "--scrapes", "5", "--json"], cwd=REPO, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    assert set(results) == {"ours", "go"}
    for row in results.values():
        assert row["idle_p50_ms"] > 0 and row["loaded_p50_ms"] > 0 and row["loaded_rss_mb"] > 0
        assert row["held"] >= 290  # the half-open connections were open while the loaded scrapes ran
