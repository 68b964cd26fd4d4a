"""The 13 core resources on awkward objects, beside the real kube-state-metrics v2.20.0: quantities beyond int64 and
in milli-units, cron schedules across DST changes and in other zones, invalid schedules and zones, pod status and
disruption reasons from every source, tolerations, IPs, DRA claims, ephemeral volumes, label conflicts and allowlist
wildcards, sparse objects with unset fields (tests/fixtures/kube/ksm_edge/objects.json, served byte for byte), plus
the golden tests' objects of these resources (tests/fixtures/kube/<resource>.json).

Both exporters run with the same flags against the same simulator; every family, label set and value must agree,
and every HELP/TYPE line too."""

from __future__ import annotations

import json

import pytest

from kube_sim.mix import R
from kube_sim.server import Simulator
from kube_sim.workload import write_kubeconfig
from testbed.harness import wait_for
from testbed.kube import start_ksm, start_ours
from tests.conftest import REPO, require_ksm
from tests.integration.test_kube_ksm_side_by_side import differences

pytestmark = pytest.mark.integration
FIXTURES = REPO / "tests" / "fixtures" / "kube"
OBJECTS = json.loads((FIXTURES / "ksm_edge" / "objects.json").read_text())
for _key, _objects in OBJECTS.items():
    _objects.extend(json.loads((FIXTURES / f"{_key.split('.')[0]}.json").read_text()))
RESOURCES = sorted(key.split(".")[0] for key in OBJECTS)
FLAGS = (
    f"--resources={','.join(RESOURCES)}",
    "--metric-opt-in-list=kube_pod_nodeselectors",
    "--metric-labels-allowlist=pods=[*],nodes=[*],configmaps=[a*,example.org/foo-*,*-bar]",
    "--metric-annotations-allowlist=configmaps=[*]",
)
# One family per resource with exactly one sample per object: both exporters have synced when all counts match.
ONE_PER_OBJECT = {"pods": "kube_pod_info", "nodes": "kube_node_info", "deployments.apps": "kube_deployment_owner",
                  "jobs.batch": "kube_job_info", "cronjobs.batch": "kube_cronjob_info",
                  "services": "kube_service_info", "persistentvolumeclaims": "kube_persistentvolumeclaim_info",
                  "secrets": "kube_secret_info", "configmaps": "kube_configmap_info",
                  "namespaces": "kube_namespace_created", "replicasets.apps": "kube_replicaset_status_replicas",
                  "statefulsets.apps": "kube_statefulset_status_replicas",
                  "daemonsets.apps": "kube_daemonset_status_number_ready"}


def headers(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("# ")]


def synced(text: str) -> bool:
    text = "\n" + text
    for key, family in ONE_PER_OBJECT.items():
        expected = len(OBJECTS[key])
        if family == "kube_namespace_created":
            expected = sum(1 for o in OBJECTS[key] if o["metadata"].get("creationTimestamp"))
        if text.count(f"\n{family}{{") != expected:
            return False
    return True


@pytest.fixture(scope="module")
def exporters(tmp_path_factory):
    require_ksm()
    workdir = tmp_path_factory.mktemp("kube-edge")
    sim = Simulator(bookmark_interval=1.0)
    for key, objects in OBJECTS.items():
        for obj in objects:
            sim.store.load(R[key], obj)
    sim.start()
    kubeconfig = write_kubeconfig(workdir / "kubeconfig.yaml", sim.url)
    ksm = start_ksm(kubeconfig, workdir, *FLAGS)
    ours = start_ours(kubeconfig, workdir, *FLAGS)
    try:
        for exporter in (ksm, ours):
            wait_for(lambda e=exporter: synced(e.metrics()), timeout=120, interval=0.3, what="every edge object")
        yield ksm, ours
    finally:
        ours.stop()
        ksm.stop()
        sim.stop()


def test_every_sample_agrees_with_ksm(exporters):
    ksm, ours = exporters
    theirs, mine = ksm.metrics(), ours.metrics()
    assert "kube_cronjob_schedule_invalid{" in theirs and "kube_pod_status_reason{" in theirs  # the edges are served
    report = differences(theirs, mine)
    assert not report, "\n".join(report)


def test_every_help_and_type_line_agrees_with_ksm(exporters):
    ksm, ours = exporters
    assert headers(ours.metrics()) == headers(ksm.metrics())
