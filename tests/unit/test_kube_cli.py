"""kube-state-exporter: flag parsing, allowlists, bad input exits 2 with one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from exporter_toolkit.errors import ConfigError
from kube_state_exporter.cli import metric_filter, parse_allowlist
from kube_state_exporter.metric import format_value
from kube_state_exporter.sharding import Shard, fnv64a, jump_hash


def test_allowlist_syntax():
    parsed = parse_allowlist("pods=[app,team],namespaces=[*]", ["pods", "namespaces"], "--x")
    assert parsed == {"pods": ["app", "team"], "namespaces": ["*"]}
    assert parse_allowlist("*=[app]", ["pods", "nodes"], "--x") == {"pods": ["app"], "nodes": ["app"]}
    with pytest.raises(ConfigError, match="unknown resource 'widgets'"):
        parse_allowlist("widgets=[a]", ["pods"], "--x")
    with pytest.raises(ConfigError, match="expected resource="):
        parse_allowlist("pods=app", ["pods"], "--x")


def test_metric_filters_are_unanchored_regexes():
    allow = metric_filter("kube_pod_status_phase,kube_node_.*", "")
    assert allow("kube_pod_status_phase") and allow("kube_node_info") and not allow("kube_pod_info")
    deny = metric_filter("", "kube_pod_container_.*")
    assert not deny("kube_pod_container_info") and deny("kube_pod_info")
    with pytest.raises(ConfigError, match="mutually exclusive"):
        metric_filter("a", "b")


def test_go_float_formatting():
    assert [format_value(v) for v in (0.0, 1.0, -1.0, 0.25, 123456.0, 1234567.0, 1.5e9, 1e-5)] == \
        ["0", "1", "-1", "0.25", "123456", "1.234567e+06", "1.5e+09", "1e-05"]


def test_sharding_is_stable_and_balanced():
    assert fnv64a(b"") == 0xCBF29CE484222325
    assert all(jump_hash(key, 1) == 0 for key in range(100))
    counts = [0, 0, 0]
    for i in range(3000):
        counts[jump_hash(fnv64a(f"uid-{i}".encode()), 3)] += 1
    assert all(800 < c < 1200 for c in counts), counts
    assert Shard(1, 2).keeps({"metadata": {"uid": "x"}}) != Shard(0, 2).keeps({"metadata": {"uid": "x"}})
    with pytest.raises(ValueError):
        Shard(2, 2)


@pytest.mark.parametrize(("args", "message"), [
    (["--resources=pods,widgets"], "unknown resource 'widgets'"),
    (["--shard=2", "--total-shards=2"], "must be lower than"),
    (["--metric-allowlist=a", "--metric-denylist=b"], "mutually exclusive"),
    (["--metric-labels-allowlist=pods"], "expected resource="),
    (["--kubeconfig=/nonexistent/kubeconfig"], "no Kubernetes configuration"),
])
def test_bad_flags_exit_2_with_one_line(tmp_path, args, message):
    result = subprocess.run([sys.executable, "-m", "kube_state_exporter", "--port=0", "--telemetry-port=0", *args],
                            capture_output=True, text=True, timeout=30, env={"HOME": str(tmp_path), "PATH": "/usr/bin"})
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kube-state-exporter: error: ") and message in lines[0], lines
