"""Our exporter beside the real kube-state-metrics v2.20.0 on the same simulated cluster (a realistic mix of every
resource: pods in every phase, workloads, services with endpoints and slices, HPAs, PVs, PDBs, RBAC, admission
configuration...). Both run with the same flags (KSM's defaults: every default resource, streaming lists) and
must expose the same families, label sets and values: after the initial sync and again after changes arrive
by watch.

Nothing is excluded: KSM's main port carries only object metrics (its process/Go metrics are on the telemetry
port, which is not compared). Label values are compared as written, empty ones included."""

from __future__ import annotations

import contextlib
from collections import Counter

import pytest

from kube_sim.mix import R, mix
from kube_sim.server import Simulator
from kube_sim.workload import seed_cluster, write_kubeconfig
from testbed.harness import wait_for
from testbed.kube import start_ksm, start_ours, wait_synced
from tests.conftest import require_ksm
from tests.kube_store_cases import LABEL

pytestmark = pytest.mark.integration
PODS = 300


def parse(text: str) -> Counter:
    """(family, label set, value) -> count."""
    found: Counter = Counter()
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, rest = line.partition("{")
        if rest:
            body, _, value = rest.rpartition("} ")
            found[(name, frozenset(LABEL.findall(body)), float(value))] += 1
        else:
            name, _, value = line.partition(" ")
            found[(name, frozenset(), float(value))] += 1
    return found


def differences(theirs: str, ours: str) -> list[str]:
    """One line per family that differs: only in KSM, only ours, or the samples that do not match."""
    want, got = parse(theirs), parse(ours)
    want_families, got_families = {k[0] for k in want}, {k[0] for k in got}
    report = [f"only in KSM: {name}" for name in sorted(want_families - got_families)]
    report += [f"only ours: {name}" for name in sorted(got_families - want_families)]
    for name in sorted(want_families & got_families):
        mine = Counter({k: v for k, v in got.items() if k[0] == name})
        theirs_family = Counter({k: v for k, v in want.items() if k[0] == name})
        if mine != theirs_family:
            missing, extra = theirs_family - mine, mine - theirs_family
            example = next(iter(missing or extra))
            report.append(f"{name}: {sum(missing.values())} KSM samples missing, {sum(extra.values())} extra, e.g. "
                          f"{'missing' if missing else 'extra'} {sorted(example[1])} {example[2]}")
    return report


@pytest.fixture(scope="module")
def side_by_side(tmp_path_factory):
    require_ksm()
    workdir = tmp_path_factory.mktemp("kube-side-by-side")
    sim = Simulator(bookmark_interval=1.0)
    seed_cluster(sim.store)
    mix(sim.store, PODS)
    sim.start()
    kubeconfig = write_kubeconfig(workdir / "kubeconfig.yaml", sim.url)
    ksm = start_ksm(kubeconfig, workdir)
    ours = start_ours(kubeconfig, workdir)
    try:
        for exporter in (ksm, ours):
            wait_synced(exporter, "kube_pod_info", PODS, timeout=120)
        yield sim, ksm, ours
    finally:
        ours.stop()
        ksm.stop()
        sim.stop()


def test_same_families_labels_and_values_after_sync(side_by_side):
    sim, ksm, ours = side_by_side
    assert sim.streaming_lists > 0  # KSM ran with its defaults: streaming lists, served by the simulator
    theirs = ksm.metrics()
    assert len(parse(theirs)) > 5000  # a real comparison: every resource of the mix is there
    report = differences(theirs, ours.metrics())
    assert not report, "\n".join(report)


def test_same_after_changes_arrive_by_watch(side_by_side):
    sim, ksm, ours = side_by_side
    store = sim.store
    pods, _ = store.list(R["pods"], None)
    for obj in pods[:20]:
        store.delete(R["pods"], obj["metadata"]["namespace"], obj["metadata"]["name"])
    deployments, _ = store.list(R["deployments.apps"], None)
    for obj in deployments[:10]:
        store.mutate(R["deployments.apps"], obj["metadata"]["namespace"], obj["metadata"]["name"],
                     lambda d: d["status"].update(readyReplicas=0, availableReplicas=0))
    store.create(R["namespaces"], "", {"metadata": {"name": "late"}})
    store.create(R["configmaps"], "late", {"metadata": {"name": "late-config"}, "data": {"k": "v"}})

    def converged() -> bool:
        theirs, mine = ksm.metrics(), ours.metrics()
        return 'configmap="late-config"' in theirs and theirs.count("\nkube_pod_info{") == PODS - 20 \
            and not differences(theirs, mine)

    with contextlib.suppress(TimeoutError):  # the report below says what still differs
        wait_for(converged, timeout=30, interval=0.5, what="both exporters agreeing after the changes")
    report = differences(ksm.metrics(), ours.metrics())
    assert not report, "\n".join(report)
    assert ('configmap="late-config"' in ours.metrics())
