"""Custom resource state metrics side by side with the real kube-state-metrics: two CRDs (one with status
conditions and a map of sub-states, one with a list under spec) served by the simulator, the same config file
given to both exporters, the same kube_customresource_* / shop_widget_* samples, HELP and TYPE required."""

from __future__ import annotations

import json

import pytest
import requests
import yaml

from testbed.harness import wait_for
from testbed.kube import start_cluster, start_ksm, start_ours
from tests.conftest import REPO, require_ksm
from tests.exposition import families
from tests.kube_store_cases import headers

pytestmark = pytest.mark.integration
FIXTURES = REPO / "tests" / "fixtures" / "kube-crs"
PLURALS = {"Foo": ("myteam.io", "v1", "foos"), "Widget": ("shop.example.com", "v1alpha1", "widgets")}


def custom_families(text: str) -> dict:
    return {name: family for name, family in families(text).items()
            if name.startswith(("kube_customresource_", "shop_widget_"))}


@pytest.fixture(scope="module")
def cluster_with_custom_objects(tmp_path_factory):
    require_ksm()
    workdir = tmp_path_factory.mktemp("kube-crs")
    cluster = start_cluster(workdir, seed=False)
    url = cluster.sim.url
    requests.post(f"{url}/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                     "metadata": {"name": "ns"}}, timeout=10).raise_for_status()
    for crd in yaml.safe_load_all((FIXTURES / "crds.yaml").read_text()):
        requests.post(f"{url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd,
                      timeout=10).raise_for_status()
    for kind, objects in json.loads((FIXTURES / "objects.json").read_text()).items():
        group, version, plural = PLURALS[kind]
        for obj in objects:
            requests.post(f"{url}/apis/{group}/{version}/namespaces/ns/{plural}", json=obj,
                          timeout=10).raise_for_status()
    yield cluster, workdir
    cluster.stop()


def test_custom_resource_metrics_equal_kube_state_metrics(cluster_with_custom_objects):
    cluster, workdir = cluster_with_custom_objects
    config = f"--custom-resource-state-config-file={FIXTURES / 'config.yaml'}"
    ksm = start_ksm(cluster.kubeconfig, workdir, "--resources=namespaces", config)
    ours = start_ours(cluster.kubeconfig, workdir, "--resources=namespaces", config)
    try:
        expected_widgets = 'shop_widget_port_info{'
        for exporter in (ksm, ours):
            wait_for(lambda exporter=exporter: exporter.metrics().count(expected_widgets) == 3, timeout=60,
                     what="both widgets' ports")
        ksm_text, our_text = ksm.metrics(), ours.metrics()
        want, got = custom_families(ksm_text), custom_families(our_text)
        assert len(want) >= 20  # the config's metrics, both resources: the comparison has something to compare
        assert sorted(got) == sorted(want)
        for name, family in want.items():
            assert got[name]["type"] == family["type"], name
            assert got[name]["samples"] == family["samples"], name
        ksm_help = {k: v for k, v in headers(ksm_text).items() if k[1] in want}
        assert {k: v for k, v in headers(our_text).items() if k[1] in want} == ksm_help
    finally:
        ours.stop()
        ksm.stop()


def test_custom_resource_state_only_serves_no_built_in_family(cluster_with_custom_objects):
    cluster, workdir = cluster_with_custom_objects
    ours = start_ours(cluster.kubeconfig, workdir, "--custom-resource-state-only",
                      f"--custom-resource-state-config-file={FIXTURES / 'config.yaml'}")
    try:
        wait_for(lambda: "kube_customresource_uptime{" in ours.metrics(), timeout=60, what="custom metrics")
        names = set(families(ours.metrics()))
        assert names and all(name.startswith(("kube_customresource_", "shop_widget_")) for name in names), names
    finally:
        ours.stop()
