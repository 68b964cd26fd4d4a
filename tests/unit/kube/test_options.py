"""kube-state-exporter: flag parsing, allowlists, bad input exits 2 with one line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from exporter_toolkit.errors import ConfigError
from kube_state_exporter.metric import format_value, gauge
from kube_state_exporter.options import metric_filter, opt_in_filter, parse_allowlist
from kube_state_exporter.sharding import Shard, fnv64a, jump_hash, ordinal


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
    (["--kubeconfig=/nonexistent/kubeconfig"], "--kubeconfig /nonexistent/kubeconfig: no such file"),
    (["--kubeconfig={tmp}"], "is a directory"),
    (["--kubeconfig={tmp}/bad.yaml"], "bad.yaml: malformed YAML at line 3: expected ',' or ']'"),
    (["--kubeconfig={tmp}/list.yaml"], "list.yaml: malformed: not a kubeconfig"),
    (["--kubeconfig={tmp}/empty-context.yaml"], "empty-context.yaml: invalid: "),
    (["--kubeconfig={tmp}/locked.yaml"], "locked.yaml: not readable (permission denied)"),
    (["--metric-opt-in-list=kube_(pod"], "--metric-opt-in-list: invalid regex"),
    (["--auto-sharding"], "needs the pod's name and namespace"),
    (["--pod=exporter-abc", "--pod-namespace=monitoring"], "does not end in a StatefulSet ordinal"),
])
def test_bad_flags_exit_2_with_one_line(tmp_path, args, message):
    (tmp_path / "bad.yaml").write_text("clusters:\n  - name: [unclosed\n")
    (tmp_path / "list.yaml").write_text("- just\n- a list\n")
    (tmp_path / "empty-context.yaml").write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\n")
    locked = tmp_path / "locked.yaml"
    locked.write_text("apiVersion: v1\n")
    locked.chmod(0)
    if "locked" in args[0] and os.access(locked, os.R_OK):
        pytest.skip("running as root: permission bits do not stop reads")
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    result = subprocess.run([sys.executable, "-m", "kube_state_exporter", "--port=0", "--telemetry-port=0", *args],
                            capture_output=True, text=True, timeout=30, env={"HOME": str(tmp_path), "PATH": "/usr/bin"})
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kube-state-exporter: error: ") and message in lines[0], lines


def test_opt_in_families_only_when_named():
    plain, opt_in = gauge("kube_pod_info", "x", lambda o: ()), gauge("kube_pod_nodeselectors", "x", lambda o: (),
                                                                     opt_in=True)
    default = opt_in_filter(metric_filter("", ""), "")
    assert default(plain) and not default(opt_in)
    named = opt_in_filter(metric_filter("", ""), "kube_pod_nodeselectors")
    assert named(plain) and named(opt_in)
    denied = opt_in_filter(metric_filter("", "kube_pod_nodeselectors"), "kube_pod_nodeselectors")
    assert not denied(opt_in)  # the denylist still applies to a named opt-in family


def test_shard_updates_and_ordinals():
    shard = Shard(0, 1)
    assert shard.update(2, 3) and (shard.shard, shard.total) == (2, 3)
    assert not shard.update(2, 3)
    assert shard.update(2, 2) and not shard.keeps({"metadata": {"uid": "a"}})  # a pod being scaled away
    assert ordinal("kube-state-exporter-12") == 12
    with pytest.raises(ValueError):
        ordinal("kube-state-exporter-7d4b9c")
