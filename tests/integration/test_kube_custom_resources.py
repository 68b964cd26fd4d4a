"""Custom resource state metrics side by side with the real kube-state-metrics: two CRDs (one with status
conditions and a map of sub-states, one with a list under spec) served by the simulator, the same config file
given to both exporters, the same kube_customresource_* / shop_widget_* samples, HELP and TYPE required.
Then ours alone on the examples of the gaps a comparison with KSM found (issue 27), with what KSM serves for them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from kube_sim.server import Simulator
from kube_sim.workload import write_kubeconfig
from testbed.harness import wait_for
from testbed.kube import counter_sum, start_cluster, start_ksm, start_ours
from tests.conftest import REPO, require_ksm
from tests.exposition import families
from tests.kube_store_cases import headers, sample_key

pytestmark = pytest.mark.integration
FIXTURES = REPO / "tests" / "fixtures" / "kube-crs"
PLURALS = {"Foo": ("myteam.io", "v1", "foos"), "Widget": ("shop.example.com", "v1alpha1", "widgets")}


def custom_families(text: str) -> dict:
    return {name: family for name, family in families(text).items()
            if name.startswith(("kube_customresource_", "shop_widget_"))}


def define(url: str, crds: Path) -> None:
    """The namespace `ns` and the CRDs of a fixture file, created through the simulator's API."""
    requests.post(f"{url}/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                     "metadata": {"name": "ns"}}, timeout=10).raise_for_status()
    for crd in yaml.safe_load_all(crds.read_text()):
        requests.post(f"{url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd,
                      timeout=10).raise_for_status()


@pytest.fixture(scope="module")
def cluster_with_custom_objects(tmp_path_factory):
    require_ksm()
    workdir = tmp_path_factory.mktemp("kube-crs")
    cluster = start_cluster(workdir, seed=False)
    url = cluster.sim.url
    define(url, FIXTURES / "crds.yaml")
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


GAPS = FIXTURES / "gaps"
BAD_PATH = (FIXTURES / "bad-path.yaml").read_text()


@pytest.fixture(scope="module")
def ours_on_the_issue_examples(tmp_path_factory):
    """Our exporter alone (no KSM needed) over the examples of the gaps a comparison with KSM found."""
    workdir = tmp_path_factory.mktemp("kube-crs-gaps")
    sim = Simulator(bookmark_interval=0.5).start()
    kubeconfig = write_kubeconfig(workdir / "kubeconfig.yaml", sim.url)
    try:
        define(sim.url, GAPS / "crds.yaml")
        for plural, objects in json.loads((GAPS / "objects.json").read_text()).items():
            for obj in objects:
                group_version = obj["apiVersion"]
                requests.post(f"{sim.url}/apis/{group_version}/namespaces/ns/{plural}", json=obj,
                              timeout=10).raise_for_status()
        ours = start_ours(kubeconfig, workdir, "--custom-resource-state-only",
                          f"--custom-resource-state-config-file={GAPS / 'config.yaml'}")
        try:
            yield ours
        finally:
            ours.stop()
    finally:
        sim.stop()


def _samples(text: str, family: str) -> dict[frozenset, float]:
    found = {}
    for _name, labels, value in (sample_key(line) for line in text.splitlines() if line.startswith(family + "{")):
        found[frozenset((k, v) for k, v in labels if not k.startswith("customresource_"))] = value
    return found


def test_state_set_over_a_list_one_state_set_per_element(ours_on_the_issue_examples):
    got = _samples(ours_on_the_issue_examples.metrics(), "kube_customresource_certificate_ready_status")
    want = {frozenset({("name", "web"), ("condition", condition), ("status", status)}): float(status == current)
            for condition, current in (("Ready", "True"), ("Issuing", "False"))
            for status in ("True", "False", "Unknown")}
    assert got == want


def test_one_bad_map_entry_does_not_drop_the_family(ours_on_the_issue_examples):
    got = _samples(ours_on_the_issue_examples.metrics(), "kube_customresource_database_parameter")
    assert got == {frozenset({("parameter", "max_connections")}): 200.0}  # "replica" and null skipped


def test_times_labels_from_lists_and_float_labels_as_ksm_writes_them(ours_on_the_issue_examples):
    text = ours_on_the_issue_examples.metrics()
    assert _samples(text, "kube_customresource_certificate_expiration_timestamp_seconds") == {
        frozenset({("name", "web")}): 1748772000.0}
    assert _samples(text, "kube_customresource_certificate_info") == {
        frozenset({("name", "web"), ("dns_names", "[a.example.com b.example.com]"), ("serial", "1e+21")}): 1.0}


def test_runtime_path_errors_are_counted_and_logged(ours_on_the_issue_examples):
    ours = ours_on_the_issue_examples
    metric = "kube_customresource_certificate_renewals"
    assert _samples(ours.metrics(), metric) == {}  # a map where a number was expected: no sample, as KSM
    assert counter_sum(ours.telemetry(), "kube_state_metrics_custom_resource_state_errors_total",
                       resource="certificates", metric=metric) >= 2  # one per condition
    wait_for(lambda: metric in Path(ours.daemon.log_path).read_text(), timeout=10, what="the read error logged")
    lines = [line for line in Path(ours.daemon.log_path).read_text().splitlines() if metric in line]
    assert "expected number but was map" in lines[0] and "ns/web" in lines[0]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kube_state_exporter", "--apiserver=http://127.0.0.1:9", *args],
                          capture_output=True, text=True, timeout=60, cwd=REPO)


@pytest.mark.parametrize(("args", "reason"), [
    (["--custom-resource-state-config-file=/nonexistent/crs.yaml"], "/nonexistent/crs.yaml: no such file"),
    (["--custom-resource-state-config=spec: ["], "--custom-resource-state-config: not valid YAML"),
    ([f"--custom-resource-state-config={BAD_PATH}"],
     "--custom-resource-state-config: spec.resources[0] (Service.net.example.com) metric endpoint_port: "
     "each.gauge.path [status,endpoints,[name],port]: invalid list lookup: [name]"),
    ([f"--custom-resource-state-config-file={FIXTURES / 'bad-path.yaml'}"],
     f"--custom-resource-state-config-file {FIXTURES / 'bad-path.yaml'}: spec.resources[0] (Service.net.example.com) "
     "metric endpoint_port: each.gauge.path [status,endpoints,[name],port]: invalid list lookup: [name]"),
])
def test_the_exporter_exits_2_with_one_line(args, reason):
    result = _run(*args)
    assert result.returncode == 2 and reason in result.stderr and len(result.stderr.strip().splitlines()) == 1, \
        result.stderr
