"""benchmarks/image_bench.py keeps working: one run, every figure present for each daemon. No timing asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, require_binary

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1200)]  # a fresh machine builds the image first


def test_image_benchmark_smoke():
    for binary in ("podman", "mmdebstrap", "runc", "kubectl", "mariadbd"):
        require_binary(binary)
    result = subprocess.run([sys.executable, "-m", "benchmarks.image_bench", "--json"], cwd=REPO,
                            capture_output=True, text=True, timeout=1100)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    assert results["size_mb"] > 0 and results["image"].startswith("localhost/exporter-suite:")
    for daemon in ("node-exporter", "kube-state-exporter", "mysql-exporter"):
        assert results[daemon]["first_scrape_s"] > 0 and results[daemon]["rss_mb"] > 0
    assert len(results["targets"]) == 2
