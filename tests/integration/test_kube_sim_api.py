"""The API simulator as clients see it: streaming lists (sendInitialEvents), CustomResourceDefinitions serving
their custom objects, every KSM resource through list/watch/get/create/update/patch/delete, and kubectl's
server-side tables for the new kinds."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import threading
import time

import pytest
import requests

from kube_sim.kubelet import Kubelet
from kube_sim.mix import mix
from kube_sim.resources import RESOURCES, Resource
from kube_sim.server import Simulator
from kube_sim.store import Store
from kube_sim.workload import seed_cluster, write_kubeconfig
from tests.conftest import IN_CI

pytestmark = pytest.mark.integration

WIDGETS_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {"type": "object",
                                                          "x-kubernetes-preserve-unknown-fields": True}}}]}}


@pytest.fixture
def sim(tmp_path):
    sim = Simulator(bookmark_interval=0.3)
    seed_cluster(sim.store)
    sim.start()
    sim.kubeconfig = write_kubeconfig(tmp_path / "kubeconfig.yaml", sim.url)
    yield sim
    sim.stop()


def watch_lines(url: str, params: dict, count: int, timeout: float = 10, until_type: str | None = None,
                after: int = 0) -> list[dict]:
    """The first `count` events of a watch (or, with until_type, every event up to the first of that type
    beyond the first `after` events)."""
    events = []
    with requests.get(url, params=params, stream=True, timeout=timeout) as response:
        assert response.status_code == 200, response.text
        for line in response.iter_lines():
            if line:
                events.append(json.loads(line))
            if (until_type is None and len(events) >= count) or (
                    len(events) > after and events[-1]["type"] == until_type):
                break
    return events


def test_streaming_list_sends_every_object_then_the_end_bookmark_then_live_events(sim):
    url = f"{sim.url}/api/v1/configmaps"
    listed = requests.get(url, timeout=10).json()["items"]
    params = {"watch": "true", "sendInitialEvents": "true", "allowWatchBookmarks": "true",
              "resourceVersionMatch": "NotOlderThan", "resourceVersion": "", "timeoutSeconds": "10"}
    created = threading.Timer(0.5, lambda: requests.post(f"{sim.url}/api/v1/namespaces/default/configmaps", json={
        "metadata": {"name": "after-the-list"}}, timeout=10))
    created.start()
    events = watch_lines(url, params, 0, until_type="ADDED", after=len(listed) + 1)
    created.join()
    initial, end, live = events[:len(listed)], events[len(listed)], events[len(listed) + 1:]
    assert [e["type"] for e in initial] == ["ADDED"] * len(listed)
    assert sorted(e["object"]["metadata"]["name"] for e in initial) == sorted(o["metadata"]["name"] for o in listed)
    assert end["type"] == "BOOKMARK"
    assert end["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(end["object"]["metadata"]["resourceVersion"]) >= max(
        int(e["object"]["metadata"]["resourceVersion"]) for e in initial)
    assert [e["type"] for e in live[:-1]] == ["BOOKMARK"] * (len(live) - 1)  # periodic bookmarks may come first
    assert live[-1]["object"]["metadata"]["name"] == "after-the-list"
    assert sim.streaming_lists == 1


def test_streaming_list_requires_bookmarks_and_not_older_than(sim):
    url = f"{sim.url}/api/v1/pods"
    missing_match = requests.get(url, params={"watch": "true", "sendInitialEvents": "true",
                                              "allowWatchBookmarks": "true"}, timeout=10)
    missing_bookmarks = requests.get(url, params={"watch": "true", "sendInitialEvents": "true",
                                                  "resourceVersionMatch": "NotOlderThan"}, timeout=10)
    assert missing_match.status_code == 422 and missing_bookmarks.status_code == 422
    assert missing_match.json()["reason"] == "Invalid"


def test_custom_resource_definition_serves_its_kind_until_deleted(sim):
    crds = f"{sim.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    assert requests.get(f"{sim.url}/apis/example.com/v1/widgets", timeout=10).status_code == 404
    created = requests.post(crds, json=WIDGETS_CRD, timeout=10)
    assert created.status_code == 201
    conditions = {c["type"]: c["status"] for c in created.json()["status"]["conditions"]}
    assert conditions == {"NamesAccepted": "True", "Established": "True"}

    groups = requests.get(f"{sim.url}/apis", timeout=10).json()["groups"]
    assert {"groupVersion": "example.com/v1", "version": "v1"} in next(
        g["versions"] for g in groups if g["name"] == "example.com")
    discovery = requests.get(f"{sim.url}/apis/example.com/v1", timeout=10).json()
    assert [(r["name"], r["kind"], r["namespaced"]) for r in discovery["resources"]] == [("widgets", "Widget", True)]

    widgets = f"{sim.url}/apis/example.com/v1/namespaces/default/widgets"
    watch = {"watch": "true", "allowWatchBookmarks": "true", "sendInitialEvents": "true",
             "resourceVersionMatch": "NotOlderThan", "timeoutSeconds": "10"}
    poster = threading.Timer(0.3, lambda: requests.post(widgets, json={
        "apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}},
        timeout=10))
    poster.start()
    events = watch_lines(f"{sim.url}/apis/example.com/v1/widgets", watch, 0, until_type="ADDED")
    poster.join()
    assert events[0]["type"] == "BOOKMARK" and events[0]["object"]["metadata"]["annotations"]  # nothing listed
    assert {e["type"] for e in events[1:-1]} <= {"BOOKMARK"}
    assert events[-1]["object"]["spec"] == {"size": 3} and events[-1]["object"]["kind"] == "Widget"

    patched = requests.patch(f"{widgets}/w1", data=json.dumps({"spec": {"size": 5}}),
                             headers={"Content-Type": "application/merge-patch+json"}, timeout=10)
    assert patched.json()["spec"] == {"size": 5} and patched.json()["metadata"]["generation"] == 2
    listed = requests.get(f"{sim.url}/apis/example.com/v1/widgets", timeout=10).json()
    assert listed["kind"] == "WidgetList" and [i["metadata"]["name"] for i in listed["items"]] == ["w1"]

    assert requests.delete(f"{crds}/widgets.example.com", timeout=10).status_code == 200
    assert requests.get(f"{sim.url}/apis/example.com/v1/widgets", timeout=10).status_code == 404
    assert not any(g["name"] == "example.com" for g in requests.get(f"{sim.url}/apis", timeout=10).json()["groups"])
    assert sim.store.count(next(r for r in RESOURCES if r.plural == "pods")) == 0  # nothing else touched


@functools.cache
def samples() -> Store:
    """One valid object of every kind: the realistic mix (which the simulator validated as it stored it)."""
    store = Store()
    seed_cluster(store)
    mix(store, 50, namespaces=1)  # five workloads: the fifth is a statefulset
    return store


def sample(resource: Resource) -> dict:
    if resource.key == "customresourcedefinitions.apiextensions.k8s.io":
        return WIDGETS_CRD
    if resource.plural == "events":
        return {"apiVersion": "v1", "kind": "Event", "involvedObject": {"kind": "Pod", "name": "web-0",
                                                                        "namespace": "default"},
                "reason": "Started", "message": "Started container", "type": "Normal", "count": 1}
    items, _ = samples().list(resource, None)
    return {key: value for key, value in items[-1].items() if key != "metadata"}  # not a seeded one


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.plural not in ("namespaces",)],
                         ids=lambda r: r.key)
def test_every_resource_crud_list_and_watch(sim, resource):
    base = f"{sim.url}{resource.prefix}"
    collection = f"{base}/namespaces/default/{resource.plural}" if resource.namespaced else f"{base}/{resource.plural}"
    body = {**sample(resource), "metadata": {"name": "k3-test"}}
    created = requests.post(collection, json=body, timeout=10)
    assert created.status_code == 201, created.text
    name = created.json()["metadata"]["name"]
    rv = created.json()["metadata"]["resourceVersion"]
    got = requests.get(f"{collection}/{name}", timeout=10).json()
    assert got["kind"] == resource.kind and got["metadata"]["uid"] == created.json()["metadata"]["uid"]
    got["metadata"]["labels"] = {"edited": "yes"}
    assert requests.put(f"{collection}/{name}", json=got, timeout=10).json()["metadata"]["labels"] == \
        {"edited": "yes"}
    patched = requests.patch(f"{collection}/{name}", data=json.dumps({"metadata": {"annotations": {"a": "b"}}}),
                             headers={"Content-Type": "application/merge-patch+json"}, timeout=10).json()
    assert patched["metadata"]["annotations"] == {"a": "b"} and patched["metadata"]["labels"] == {"edited": "yes"}
    assert requests.delete(f"{collection}/{name}", timeout=10).status_code == 200
    events = watch_lines(f"{base}/{resource.plural}", {"watch": "true", "resourceVersion": rv}, 3)
    assert [e["type"] for e in events] == ["MODIFIED", "MODIFIED", "DELETED"]
    assert requests.get(f"{collection}/{name}", timeout=10).status_code == 404


def test_kubectl_tables_and_apply_for_the_new_kinds(sim, tmp_path):
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        if IN_CI:
            pytest.fail("kubectl is not installed")
        pytest.skip("kubectl is not installed")
    manifest = tmp_path / "objects.yaml"
    manifest.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
        WIDGETS_CRD,
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "default"},
         "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "web", "namespace": "default"},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                  "minReplicas": 1, "maxReplicas": 3}}]}))

    def run(*args: str) -> str:
        result = subprocess.run([kubectl, f"--kubeconfig={sim.kubeconfig}", *args], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "created" in run("apply", "--validate=false", "-f", str(manifest))
    table = run("get", "pdb,hpa,crd")
    assert "poddisruptionbudget.policy/web" in table and "horizontalpodautoscaler.autoscaling/web" in table
    assert "customresourcedefinition.apiextensions.k8s.io/widgets.example.com" in table
    assert table.splitlines()[0].split() == ["NAME", "AGE"]
    widget = tmp_path / "widget.yaml"
    widget.write_text(json.dumps({"apiVersion": "example.com/v1", "kind": "Widget",
                                  "metadata": {"name": "w1", "namespace": "default"}, "spec": {"size": 3}}))
    assert "created" in run("apply", "--validate=false", "-f", str(widget))
    assert run("get", "wd", "w1", "-o", "jsonpath={.spec.size}") == "3"
    assert "unchanged" in run("apply", "--validate=false", "-f", str(widget))
    run("delete", "crd", "widgets.example.com")
    assert run("get", "pdb", "--no-headers").split()[0] == "web"  # the other objects stay


def test_the_kubelet_gives_pods_the_qos_class_of_their_resources(sim):
    """Requests equal to limits for every container: Guaranteed; some requests: Burstable; none: BestEffort."""
    kubelet = Kubelet(sim.store).start()
    try:
        pods = f"{sim.url}/api/v1/namespaces/default/pods"
        full = {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}}
        for name, resources in (("guaranteed", full), ("burstable", {"requests": {"memory": "64Mi"}}),
                                ("besteffort", {})):
            assert requests.post(pods, json={"metadata": {"name": name}, "spec": {"containers": [
                {"name": "c", "image": "nginx", "resources": resources}]}}, timeout=10).status_code == 201
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            statuses = {p["metadata"]["name"]: p["status"] for p in requests.get(pods, timeout=10).json()["items"]}
            if all(s.get("phase") == "Running" for s in statuses.values()):
                break
            time.sleep(0.05)
        assert {name: s.get("phase") for name, s in statuses.items()} == dict.fromkeys(statuses, "Running")
        assert {name: s["qosClass"] for name, s in statuses.items()} == {
            "guaranteed": "Guaranteed", "burstable": "Burstable", "besteffort": "BestEffort"}
    finally:
        kubelet.stop()


def test_dry_run_is_validated_and_not_stored(sim):
    pods = f"{sim.url}/api/v1/namespaces/default/pods"
    refused = requests.post(pods, params={"dryRun": "All"}, json={"metadata": {"name": "dry"}, "spec": {}},
                            timeout=10)
    assert refused.status_code == 422 and refused.json()["details"]["causes"][0]["field"] == "spec.containers"
    accepted = requests.post(pods, params={"dryRun": "All"}, json={"metadata": {"name": "dry"}, "spec": {
        "containers": [{"name": "c", "image": "nginx"}]}}, timeout=10)
    assert accepted.status_code == 201
    assert requests.get(f"{pods}/dry", timeout=10).status_code == 404
