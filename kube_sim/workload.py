"""Objects a fresh cluster has (namespaces, nodes, kube-system configmaps, the kubernetes service), a demo
workload for the local stack, bulk objects for benchmarks, and a kubeconfig pointing at the simulator."""

from __future__ import annotations

import contextlib
import ipaddress
from pathlib import Path
from typing import Any

import yaml

from kube_sim.resources import RESOURCES
from kube_sim.store import ApiError, Store

R = {r.plural: r for r in RESOURCES}


def _meta(name: str, labels: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "labels": labels or {}, **extra}


def seed_cluster(store: Store, nodes: int = 2) -> None:
    """What `kubeadm init` leaves behind, roughly: enough for kube-state metrics to have something to say."""
    for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
        store.create(R["namespaces"], "", {"metadata": _meta(name, {"kubernetes.io/metadata.name": name})})
    for index in range(1, nodes + 1):
        name = f"sim-node-{index}"
        store.create(R["nodes"], "", {
            "metadata": _meta(name, {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                     **({"node-role.kubernetes.io/control-plane": ""} if index == 1 else {})}),
            "spec": {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"],
                     "providerID": f"sim://{name}",
                     "taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
                     if index == 1 else []},
            "status": {
                "capacity": {"cpu": "2", "memory": "24Gi", "pods": "110", "ephemeral-storage": "100Gi"},
                "allocatable": {"cpu": "1900m", "memory": "23Gi", "pods": "110", "ephemeral-storage": "90Gi"},
                "conditions": [{"type": t, "status": "False" if t != "Ready" else "True", "reason": "KubeletReady"
                                if t == "Ready" else "KubeletHasSufficientResources"}
                               for t in ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")],
                "addresses": [{"type": "InternalIP", "address": f"192.168.0.{9 + index}"},
                              {"type": "Hostname", "address": name}],
                "nodeInfo": {"kernelVersion": "6.1.0-18-amd64", "osImage": "Debian GNU/Linux 12 (bookworm)",
                             "containerRuntimeVersion": "containerd://1.7.0", "kubeletVersion": "v1.32.0",
                             "kubeProxyVersion": "v1.32.0", "systemUUID": f"uuid-{name}",
                             "machineID": f"{index:032x}", "bootID": f"boot-{index}", "operatingSystem": "linux",
                             "architecture": "amd64"},
            },
        })
    for name, data in (("kube-root-ca.crt", {"ca.crt": "-----BEGIN CERTIFICATE-----"}),
                       ("coredns", {"Corefile": ".:53 {}"}), ("kube-proxy", {"config.conf": "mode: iptables"}),
                       ("kubeadm-config", {"ClusterConfiguration": "kubernetesVersion: v1.32.0"})):
        store.create(R["configmaps"], "kube-system", {"metadata": _meta(name), "data": data})
    store.create(R["configmaps"], "default", {"metadata": _meta("kube-root-ca.crt"), "data": {"ca.crt": "x"}})
    store.create(R["services"], "default", {
        "metadata": _meta("kubernetes", {"component": "apiserver", "provider": "kubernetes"}),
        "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "ports": [{"port": 443, "protocol": "TCP"}]}})


def seed_demo(store: Store) -> None:
    """The local stack's workload: a healthy web deployment and the classic crash-looping busybox pod."""
    store.create(R["deployments"], "default", {
        "metadata": _meta("web", {"app": "web"}),
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}})
    for index in range(2):
        store.create(R["pods"], "default", {
            "metadata": _meta(f"web-7d4b9c-{index}", {"app": "web"}, ownerReferences=[
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4b9c", "uid": "rs-web",
                 "controller": True}]),
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25",
                                     "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                                                   "limits": {"memory": "128Mi"}}}], "restartPolicy": "Always"}})
    store.create(R["services"], "default", {"metadata": _meta("web", {"app": "web"}),
                                            "spec": {"type": "ClusterIP", "clusterIP": "10.96.10.10",
                                                     "selector": {"app": "web"}, "ports": [
                                                         {"name": "http", "port": 80, "protocol": "TCP"}]}})
    store.create(R["pods"], "default", {
        "metadata": _meta("busy-box-crash", {"run": "busy-box-crash"}),
        "spec": {"containers": [{"name": "busy-box-crash", "image": "busybox",
                                 "args": ["/bin/sh", "-c", "exit 1"]}], "restartPolicy": "Always"}})


def bulk_pods(store: Store, count: int, namespaces: int = 10, with_status: bool = True) -> None:
    """`count` running pods (plus a deployment, a service and a configmap per 10 pods) for benchmarks."""
    for index in range(namespaces):
        name = f"bench-{index}"
        with contextlib.suppress(ApiError):  # already there
            store.create(R["namespaces"], "", {"metadata": _meta(name)})
    for index in range(count):
        namespace = f"bench-{index % namespaces}"
        app = f"app-{index // 10}"
        pod: dict[str, Any] = {
            "metadata": _meta(f"{app}-{index}", {"app": app, "pod-template-hash": "5d8f"}, ownerReferences=[
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{app}-5d8f", "uid": f"rs-{app}",
                 "controller": True}]),
            "spec": {"nodeName": f"sim-node-{index % 2 + 1}", "restartPolicy": "Always",
                     "containers": [{"name": "app", "image": "registry.local/app:1.0",
                                     "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                                   "limits": {"cpu": "500m", "memory": "256Mi"}}},
                                    {"name": "sidecar", "image": "registry.local/proxy:2.1"}]}}
        if with_status:
            pod["status"] = {
                "phase": "Running", "hostIP": "192.168.0.10", "podIP": f"10.{index >> 16 & 255}.{index >> 8 & 255}."
                                                                     f"{index & 255}",
                "startTime": "2026-11-01T00:00:00Z", "qosClass": "Burstable",
                "conditions": [{"type": t, "status": "True", "lastTransitionTime": "2026-11-01T00:00:05Z"}
                               for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
                "containerStatuses": [
                    {"name": c, "image": image, "imageID": f"{image}@sha256:1", "ready": True, "restartCount": 0,
                     "started": True, "containerID": f"containerd://{index}-{c}",
                     "state": {"running": {"startedAt": "2026-11-01T00:00:03Z"}}}
                    for c, image in (("app", "registry.local/app:1.0"), ("sidecar", "registry.local/proxy:2.1"))]}
        store.create(R["pods"], namespace, pod)
        if index % 10 == 0:
            store.create(R["deployments"], namespace, {
                "metadata": _meta(app, {"app": app}),
                "spec": {"replicas": 10, "selector": {"matchLabels": {"app": app}}, "template": {
                    "metadata": {"labels": {"app": app}}, "spec": {"containers": [
                        {"name": "app", "image": "registry.local/app:1.0"}]}}},
                "status": {"replicas": 10, "readyReplicas": 10, "availableReplicas": 10, "updatedReplicas": 10,
                           "observedGeneration": 1}})
            store.create(R["services"], namespace, {"metadata": _meta(app, {"app": app}), "spec": {
                "type": "ClusterIP", "clusterIP": bulk_cluster_ip(index // 10),
                "ports": [{"port": 80, "protocol": "TCP"}]}})
            store.create(R["configmaps"], namespace, {"metadata": _meta(f"{app}-config"), "data": {"k": "v"}})


def bulk_cluster_ip(app: int) -> str:
    """A distinct service IP per benchmark app, in 10.104.0.0/14 (within the simulated service range)."""
    return str(ipaddress.ip_address("10.104.0.1") + app)


def write_kubeconfig(path: Path, server_url: str) -> Path:
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "kube-sim",
        "clusters": [{"name": "kube-sim", "cluster": {"server": server_url}}],
        "users": [{"name": "kube-sim", "user": {"token": "kube-sim-token"}}],
        "contexts": [{"name": "kube-sim", "context": {"cluster": "kube-sim", "user": "kube-sim",
                                                      "namespace": "default"}}],
    }
    path.write_text(yaml.safe_dump(config))
    return path
