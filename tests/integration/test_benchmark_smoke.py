"""The node benchmark keeps working: a few scrapes of each exporter, every figure present. No timing asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, require_binary

pytestmark = pytest.mark.integration


def test_node_benchmark_smoke():
    require_binary("prometheus-node-exporter")
    result = subprocess.run([sys.executable, "-m", "benchmarks.node_exporter_bench", "--scrapes", "5", "--json"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    for name in ("ours", "go"):
        assert results[name]["series"] > 200
        assert results[name]["p50_ms"] > 0 and results[name]["rss_mb"] > 0
    assert set(results["ratio"]) == {"p50_ms", "p99_ms", "cpu_s_per_1000", "rss_mb", "series"}
