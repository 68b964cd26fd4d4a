"""kube-state-metrics' flags against the simulator: --auto-sharding (3 StatefulSet pods export each object once,
their union is one instance's output, a scale to 2 re-shards within one list), --use-apiserver-cache,
--metric-opt-in-list, --custom-resource-state-only; and quiet logs while the API server is away."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import requests

from kube_sim.mix import R
from kube_sim.server import Simulator
from kube_sim.workload import bulk_pods, seed_cluster, write_kubeconfig
from testbed.harness import wait_for
from testbed.kube import counter_sum, start_ours

pytestmark = pytest.mark.integration


def sample_lines(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if line and not line.startswith("#"))


@pytest.fixture
def sim(tmp_path):
    sim = Simulator(bookmark_interval=0.5)
    seed_cluster(sim.store)
    sim.start()
    sim.kubeconfig = write_kubeconfig(tmp_path / "kubeconfig.yaml", sim.url)
    yield sim
    sim.stop()


def add_statefulset(sim: Simulator, replicas: int) -> None:
    store = sim.store
    store.create(R["namespaces"], "", {"metadata": {"name": "monitoring"}})
    sts = store.create(R["statefulsets.apps"], "monitoring", {
        "metadata": {"name": "kse"}, "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "kse"}},
                                              "serviceName": "kse", "template": {"metadata": {"labels": {"app": "kse"}},
                                              "spec": {"containers": [{"name": "kse", "image": "kse"}]}}}})
    for ordinal in range(replicas):
        store.create(R["pods"], "monitoring", {"metadata": {"name": f"kse-{ordinal}", "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "kse", "uid": sts["metadata"]["uid"],
             "controller": True}]}, "spec": {"containers": [{"name": "kse", "image": "kse"}]}})


def test_auto_sharding_splits_and_reshards_on_scale(sim, tmp_path):
    bulk_pods(sim.store, 150, namespaces=3)
    add_statefulset(sim, 3)
    resources = "--resources=pods,configmaps,deployments,services,namespaces"
    single = start_ours(sim.kubeconfig, tmp_path, resources)
    shards = [start_ours(sim.kubeconfig, tmp_path, resources, "--auto-sharding",
                         env={"POD_NAME": f"kse-{i}", "POD_NAMESPACE": "monitoring"}) for i in range(3)]
    expected = sample_lines(single.metrics())
    parts = [sample_lines(shard.metrics()) for shard in shards]
    union = Counter(line for part in parts for line in part)
    assert all(count == 1 for count in union.values())  # each object exported exactly once
    assert sorted(union) == expected
    assert all(len(part) > len(expected) / 6 for part in parts)  # every shard got a real share
    assert [counter_sum(s.telemetry(), "kube_state_metrics_total_shards") for s in shards] == [3, 3, 3]

    lists_before = [counter_sum(s.telemetry(), "kube_state_metrics_list_total", resource="pods", result="success")
                    for s in shards[:2]]
    sim.store.mutate(R["statefulsets.apps"], "monitoring", "kse", lambda s: s["spec"].update(replicas=2))
    shards[2].stop()  # the StatefulSet controller removes kse-2
    sim.store.delete(R["pods"], "monitoring", "kse-2")

    def complete_again() -> bool:
        want = sample_lines(single.metrics())
        got = sorted(line for shard in shards[:2] for line in sample_lines(shard.metrics()))
        return got == want

    wait_for(complete_again, timeout=30, interval=0.2, what="shards 0 and 1 covering everything after the scale")
    for shard, before in zip(shards[:2], lists_before, strict=True):
        telemetry = shard.telemetry()
        assert counter_sum(telemetry, "kube_state_metrics_total_shards") == 2
        # re-sharded by exactly one more list of each resource
        assert counter_sum(telemetry, "kube_state_metrics_list_total", resource="pods", result="success") == \
            before + 1
    for shard in shards[:2]:
        shard.stop()


def test_use_apiserver_cache_lists_at_resource_version_zero(sim, tmp_path):
    plain = start_ours(sim.kubeconfig, tmp_path, "--resources=configmaps,nodes")
    assert sim.cached_lists == 0
    cached = start_ours(sim.kubeconfig, tmp_path, "--resources=configmaps,nodes", "--use-apiserver-cache")
    assert sim.cached_lists == 2  # one list per resource, each at resourceVersion=0
    assert sample_lines(cached.metrics()) == sample_lines(plain.metrics())


def test_opt_in_families_only_when_named(sim, tmp_path):
    sim.store.create(R["persistentvolumes"], "", {"metadata": {"name": "pv"}, "spec": {
        "capacity": {"storage": "1Gi"}, "csi": {"driver": "csi.example.com", "volumeHandle": "v",
                                                "volumeAttributes": {"mounter": "rbd", "mapOptions": "krbd"}}},
        "status": {"phase": "Bound"}})
    from kube_state_exporter.resources import RESOURCES, Allowlists

    if "persistentvolumes" not in RESOURCES:
        pytest.fail("not implemented: persistentvolumes")
    opt_in = sorted(g.name for g in RESOURCES["persistentvolumes"].families(Allowlists()) if g.opt_in)
    assert opt_in == ["kube_persistentvolume_csi_attributes"]  # KSM's one opt-in family of PVs
    default = start_ours(sim.kubeconfig, tmp_path, "--resources=persistentvolumes")
    named = start_ours(sim.kubeconfig, tmp_path, "--resources=persistentvolumes",
                       "--metric-opt-in-list=kube_persistentvolume_csi_attributes")
    families = {name: re.findall(r"^# TYPE (\S+)", exporter.metrics(), re.M)
                for name, exporter in (("default", default), ("named", named))}
    assert "kube_persistentvolume_info" in families["default"]
    assert "kube_persistentvolume_csi_attributes" not in families["default"]
    assert "kube_persistentvolume_csi_attributes" in families["named"]


def test_custom_resource_state_only_serves_no_builtin_families(sim, tmp_path):
    exporter = start_ours(sim.kubeconfig, tmp_path, "--custom-resource-state-only")
    response = requests.get(f"http://127.0.0.1:{exporter.port}/metrics", timeout=10)
    assert response.status_code == 200 and not sample_lines(response.text)
    assert sim.lists == 0 and sim.watches == 0  # nothing listed or watched


def test_logs_stay_quiet_while_the_api_server_is_away(sim, tmp_path):
    """Issue 20: five cuts of the API server connection, every default resource watched, are five warnings and
    five recovery lines (not one per resource); a 410 relist adds none and is counted in telemetry."""
    exporter = start_ours(sim.kubeconfig, tmp_path)
    log_path = exporter.daemon.log_path
    with open(log_path, encoding="utf-8") as handle:
        before = len(handle.read().splitlines())

    def new_lines() -> list[str]:
        with open(log_path, encoding="utf-8") as handle:
            return handle.read().splitlines()[before:]

    def count(text: str) -> int:
        return sum(text in line for line in new_lines())

    resources = counter_sum(exporter.telemetry(), "kube_state_metrics_list_total", result="success")
    assert resources >= 30  # the cuts are seen by every default resource's reflector
    for cut in range(1, 6):
        sim.restart(downtime=1.0)
        wait_for(lambda cut=cut: count("Kubernetes API server reachable again") >= cut, timeout=30,
                 what=f"recovery from cut {cut}")
    sim.store.create(R["configmaps"], "default", {"metadata": {"name": "bump"}})
    sim.store.compact()  # every watch resumes from a version older than the history: 410 Gone, relist
    sim.store.end_streams()
    wait_for(lambda: counter_sum(exporter.telemetry(), "kube_state_metrics_watch_total", result="expired")
             >= resources, timeout=30, what="every resource relisted after its 410")
    wait_for(lambda: exporter.daemon.process.poll() is None and requests.get(
        f"http://127.0.0.1:{exporter.port}/readyz", timeout=5).status_code == 200, timeout=30, what="ready")
    lines = new_lines()
    assert count("Kubernetes API server unreachable, retrying with backoff") == 5, lines
    assert count("Kubernetes API server reachable again") == 5, lines
    assert len(lines) == 10, lines  # nothing per resource, nothing for the relists
    assert all("resource=" not in line for line in lines), lines
    warnings = [line for line in lines if "unreachable" in line]
    assert all("level=warn" in line and "err=" in line for line in warnings), warnings
    assert all("level=info" in line and "failures=" in line and "down_for=" in line
               for line in lines if "reachable again" in line), lines
