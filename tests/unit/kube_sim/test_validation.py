"""The simulator refuses what a Kubernetes 1.36+ API server refuses: each class of invalid object the realistic
mix used to hold answers 422 Invalid with a Status naming the field, while the same object made valid is stored;
the whole mix, the cluster seed, the demo and the benchmark objects pass."""

from __future__ import annotations

import base64
import copy
import functools
from collections.abc import Callable, Iterator

import pytest
import requests

from kube_sim.mix import KUBELET_CSR, mix
from kube_sim.resources import RESOURCES, Resource
from kube_sim.server import Simulator
from kube_sim.store import ApiError, Store
from kube_sim.validation import schema_version
from kube_sim.workload import bulk_pods, seed_cluster, seed_demo

R = {r.key: r for r in RESOURCES}


@functools.cache
def samples() -> Store:
    store = Store()
    seed_cluster(store)
    mix(store, 50, namespaces=1)
    return store


def sample(key: str, name: str | None = None) -> dict:
    """A valid object of the mix, without its server-set metadata."""
    items, _ = samples().list(R[key], None)
    obj = copy.deepcopy(next(i for i in items if name is None or i["metadata"]["name"] == name))
    obj["metadata"] = {"name": obj["metadata"]["name"], "labels": obj["metadata"].get("labels", {})}
    obj.pop("status", None) if key != "jobs.batch" else None
    return obj


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    sim = Simulator()
    seed_cluster(sim.store)
    sim.start()
    yield sim
    sim.stop()


def url(sim: Simulator, resource: Resource, name: str | None = None) -> str:
    base = f"{sim.url}{resource.prefix}"
    path = f"{base}/namespaces/default/{resource.plural}" if resource.namespaced else f"{base}/{resource.plural}"
    return f"{path}/{name}" if name else path


def post(sim: Simulator, key: str, obj: dict) -> requests.Response:
    return requests.post(url(sim, R[key]), json=obj, timeout=10)


def assert_invalid(response: requests.Response, kind: str, field: str) -> None:
    assert response.status_code == 422, response.text
    status = response.json()
    assert (status["kind"], status["status"], status["reason"], status["code"]) == ("Status", "Failure", "Invalid",
                                                                                    422)
    assert status["details"]["kind"] == kind
    assert field in [cause["field"] for cause in status["details"]["causes"]], status
    assert field in status["message"]


def rejected(sim: Simulator, key: str, base: dict, name: str, break_it: Callable[[dict], None], field: str) -> None:
    """`base` renamed is stored (201); `base` broken by `break_it` is refused (422 on `field`)."""
    good = copy.deepcopy(base)
    good["metadata"]["name"] = f"{name}-valid"
    assert post(sim, key, good).status_code == 201
    bad = copy.deepcopy(base)
    bad["metadata"]["name"] = name
    break_it(bad)
    assert_invalid(post(sim, key, bad), R[key].kind, field)
    assert requests.get(url(sim, R[key], name), timeout=10).status_code == 404  # nothing stored


def test_the_schemas_are_the_newest_kubernetes_validate_ships() -> None:
    major, minor = (int(p) for p in schema_version().split("."))
    assert (major, minor) >= (1, 36)


def test_daemonset_whose_template_labels_miss_its_selector(sim) -> None:
    rejected(sim, "daemonsets.apps", sample("daemonsets.apps"), "ds-labels",
             lambda d: d["spec"]["template"]["metadata"].update(labels={"app": "x"}), "spec.template.metadata.labels")


def test_daemonset_without_containers(sim) -> None:
    rejected(sim, "daemonsets.apps", sample("daemonsets.apps"), "ds-empty",
             lambda d: d["spec"]["template"]["spec"].update(containers=[]), "spec.template.spec.containers")


def test_replicationcontroller_without_a_pod_template(sim) -> None:
    rejected(sim, "replicationcontrollers", sample("replicationcontrollers"), "rc-bare",
             lambda rc: rc["spec"].pop("template"), "spec.template")


def test_job_without_a_pod_template(sim) -> None:
    rejected(sim, "jobs.batch", sample("jobs.batch"), "job-bare", lambda j: j["spec"].pop("template"), "spec.template")


@pytest.mark.parametrize(("name", "first"), [("migrate-0", "SuccessCriteriaMet"), ("backfill-0", "FailureTarget")])
def test_job_finished_without_the_condition_that_must_come_first(sim, name, first) -> None:
    base = sample("jobs.batch", name)
    assert first in [c["type"] for c in base["status"]["conditions"]]
    rejected(sim, "jobs.batch", base, f"job-{first.lower()}", lambda j: j["status"].update(
        conditions=[c for c in j["status"]["conditions"] if c["type"] != first]), "status.conditions")


def test_cronjob_whose_pods_restart_always(sim) -> None:
    rejected(sim, "cronjobs.batch", sample("cronjobs.batch"), "cj-always",
             lambda c: c["spec"]["jobTemplate"]["spec"]["template"]["spec"].update(restartPolicy="Always"),
             "spec.jobTemplate.spec.template.spec.restartPolicy")


@pytest.mark.parametrize(("index", "ip"), list(enumerate(["192.168.7.7", "10.96.0.0", "10.112.0.1", "not-an-ip"])))
def test_service_ip_outside_the_service_range(sim, index, ip) -> None:
    base = sample("services")
    base["spec"]["clusterIP"] = f"10.101.0.{index + 1}"
    rejected(sim, "services", base, f"svc-range-{index}", lambda s: s["spec"].update(clusterIP=ip),
             "spec.clusterIPs[0]")


def test_service_ip_already_allocated(sim) -> None:
    taken = sample("services")
    taken["spec"]["clusterIP"] = "10.102.0.1"
    rejected(sim, "services", taken, "svc-taken", lambda s: s["spec"].update(clusterIP="10.102.0.1"),
             "spec.clusterIPs[0]")
    assert requests.delete(url(sim, R["services"], "svc-taken-valid"), timeout=10).status_code == 200
    taken["metadata"]["name"] = "svc-taken-again"
    assert post(sim, "services", taken).status_code == 201  # released with its service


def test_certificate_signing_request_whose_request_is_not_a_csr(sim) -> None:
    base = sample("certificatesigningrequests.certificates.k8s.io")
    assert base["spec"]["request"] == KUBELET_CSR
    certificate = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    for index, request in enumerate((base64.b64encode(b"-----BEGIN"), base64.b64encode(certificate),
                                     base64.b64encode(base64.b64decode(KUBELET_CSR)[:200]))):
        rejected(sim, "certificatesigningrequests.certificates.k8s.io", base, f"csr-{index}",
                 lambda c, r=request: c["spec"].update(request=r.decode()), "spec.request")


@pytest.mark.parametrize("key", ["validatingadmissionpolicies.admissionregistration.k8s.io",
                                 "mutatingadmissionpolicies.admissionregistration.k8s.io"])
def test_admission_policy_without_match_constraints(sim, key) -> None:
    rejected(sim, key, sample(key), "policy-unmatched", lambda p: p["spec"].pop("matchConstraints"),
             "spec.matchConstraints")


def test_schema_types_and_required_fields(sim) -> None:
    rejected(sim, "deployments.apps", sample("deployments.apps"), "deploy-type",
             lambda d: d["spec"].update(replicas="three"), "spec.replicas")
    rejected(sim, "pods", sample("pods"), "pod-nameless",
             lambda p: p["spec"]["containers"][0].pop("name"), "spec.containers[0].name")


def test_an_update_is_validated_too(sim) -> None:
    deployment = sample("deployments.apps")
    deployment["metadata"]["name"] = "deploy-update"
    assert post(sim, "deployments.apps", deployment).status_code == 201
    current = requests.get(url(sim, R["deployments.apps"], "deploy-update"), timeout=10).json()
    current["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    assert_invalid(requests.put(url(sim, R["deployments.apps"], "deploy-update"), json=current, timeout=10),
                   "Deployment", "spec.template.metadata.labels")
    patch = requests.patch(url(sim, R["deployments.apps"], "deploy-update"),
                           json={"spec": {"template": {"spec": {"restartPolicy": "Never"}}}},
                           headers={"Content-Type": "application/merge-patch+json"}, timeout=10)
    assert_invalid(patch, "Deployment", "spec.template.spec.restartPolicy")
    stored = requests.get(url(sim, R["deployments.apps"], "deploy-update"), timeout=10).json()
    assert stored["metadata"]["resourceVersion"] == current["metadata"]["resourceVersion"]  # unchanged


def test_the_mix_the_seed_the_demo_and_the_benchmark_objects_are_valid() -> None:
    store = Store()
    seed_cluster(store)
    seed_demo(store)
    mix(store, 200)  # raises on the first object refused
    bulk_pods(store, 40, namespaces=2)
    assert all(store.count(r) for r in RESOURCES if r.plural not in ("events", "customresourcedefinitions"))


def test_load_stays_the_permissive_path_for_fixtures() -> None:
    store = Store()
    store.create(R["namespaces"], "", {"metadata": {"name": "default"}})
    partial = {"metadata": {"name": "bare", "namespace": "default"}, "spec": {"replicas": 1}}
    with pytest.raises(ApiError) as refused:
        store.create(R["deployments.apps"], "default", partial)
    assert refused.value.code == 422
    assert store.load(R["deployments.apps"], partial) == partial  # served byte for byte, as store cases need
