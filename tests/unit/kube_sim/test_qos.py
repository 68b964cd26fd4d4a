"""The QoS class the simulator gives a pod, by the kubelet's rules."""

from __future__ import annotations

import pytest

from kube_sim.qos import qos_class
from kube_sim.resources import BY_PATH
from kube_sim.store import Store


def pod(*containers: dict, init: tuple[dict, ...] = ()) -> dict:
    spec = {"containers": [{"name": f"c{i}", "image": "x", "resources": r} for i, r in enumerate(containers)]}
    if init:
        spec["initContainers"] = [{"name": f"i{i}", "image": "x", "resources": r} for i, r in enumerate(init)]
    return {"metadata": {"name": "p"}, "spec": spec}


FULL = {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}}


@pytest.mark.parametrize(("case", "expected"), [
    (pod({}), "BestEffort"),
    (pod({"requests": {"cpu": "0"}}), "BestEffort"),  # zero quantities do not count
    (pod({"requests": {"ephemeral-storage": "1Gi"}}), "BestEffort"),  # only cpu and memory decide
    (pod(FULL), "Guaranteed"),
    (pod({"limits": {"cpu": "1", "memory": "1Gi"}}), "Guaranteed"),  # requests default to limits
    (pod({"limits": {"cpu": "1000m", "memory": "1024Mi"}, "requests": {"cpu": "1", "memory": "1Gi"}}), "Guaranteed"),
    (pod(FULL, FULL), "Guaranteed"),
    (pod(FULL, {}), "Burstable"),  # one container without limits
    (pod(FULL, init=({},)), "Burstable"),  # init containers count
    (pod({"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "64Mi"}}), "Burstable"),
    (pod({"limits": {"memory": "64Mi"}}), "Burstable"),  # memory limited, cpu not
    (pod({"requests": {"cpu": "100m"}}), "Burstable"),
])
def test_qos_class_follows_the_kubelet_rules(case: dict, expected: str) -> None:
    assert qos_class(case) == expected


def test_pod_level_resources_decide_alone() -> None:
    case = pod({})
    case["spec"]["resources"] = {"limits": {"cpu": "1", "memory": "1Gi"}}
    assert qos_class(case) == "Guaranteed"


def test_the_store_sets_qos_on_create_whatever_the_client_sent() -> None:
    store = Store()
    store.create(BY_PATH[("", "v1", "namespaces")], "", {"metadata": {"name": "default"}})
    body = pod(FULL)
    body["status"] = {"qosClass": "BestEffort"}
    created = store.create(BY_PATH[("", "v1", "pods")], "default", body)
    assert created["status"]["qosClass"] == "Guaranteed"
