"""A realistic mix of every resource kube-state-metrics knows, for side-by-side runs and benchmarks: pods in
every phase (pending unschedulable, running, crash-looping, OOM-killed, succeeded, failed, unknown), the
workloads owning them, a service with its endpoints and endpoint slice per workload, HPAs, PVs and PVCs in
several phases, PDBs, ingresses, quotas, RBAC, admission configuration, leases, CSRs and more.

`mix(store, pods)` scales with the pod count: one workload (deployment or statefulset, its replicaset, service,
endpoints, endpoint slice, HPA, PDB, configmap, secret, PVC/PV) per 10 pods; the cluster-wide kinds are added
once."""

from __future__ import annotations

import base64
from typing import Any

from kube_sim.resources import RESOURCES
from kube_sim.store import ApiError, Store

R = {r.key: r for r in RESOURCES}
T0 = "2026-11-01T00:00:00Z"
T1 = "2026-11-01T00:00:05Z"
# A kubelet's client certificate request (ECDSA P-256, CN system:node:sim-node-1, O system:nodes), made once with
# `cryptography`: a CSR's spec.request is this PEM, base64-encoded in JSON.
KUBELET_CSR = base64.b64encode(b"""-----BEGIN CERTIFICATE REQUEST-----
MIHzMIGaAgEAMDgxFTATBgNVBAoMDHN5c3RlbTpub2RlczEfMB0GA1UEAwwWc3lz
dGVtOm5vZGU6c2ltLW5vZGUtMTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFnR
3jEXyy6/H21+xx0pCL91uWTDvgKnCdSdFkE1IHbgFi8p1vbl/5a6p07GaJLIS2oe
jR7mRzIf5qN03bEjB+WgADAKBggqhkjOPQQDAgNIADBFAiBZ3+qlZEP/KyEzuiDy
JKrPexwFF3tN6aVzlLZL3rYYmgIhAJ/Pv3k7/1R9w3BLd9TFDfwq/8+pHQ5p+nPJ
LRr2/nLo
-----END CERTIFICATE REQUEST-----
""").decode()
PHASES = ("Running", "Running", "Running", "Running", "Running", "Running", "Pending", "Succeeded", "Failed",
          "CrashLoop")


def _meta(name: str, labels: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "labels": labels or {}, **extra}


def _owner(kind: str, name: str, api_version: str = "apps/v1") -> list[dict[str, Any]]:
    return [{"apiVersion": api_version, "kind": kind, "name": name, "uid": f"uid-{kind.lower()}-{name}",
             "controller": True, "blockOwnerDeletion": True}]


def _template(labels: dict[str, str], restart: str = "Always", name: str = "app",
              image: str = "registry.local/app:1.0") -> dict[str, Any]:
    """A pod template of one container, labelled so its owner's selector matches."""
    return {"metadata": {"labels": labels}, "spec": {"restartPolicy": restart, "containers": [
        {"name": name, "image": image}]}}


def _condition(kind: str, status: str = "True", reason: str = "") -> dict[str, Any]:
    condition = {"type": kind, "status": status, "lastTransitionTime": T1}
    if reason:
        condition["reason"] = reason
    return condition


def pod(name: str, labels: dict[str, str], owner: list[dict[str, Any]], phase: str, index: int,
        node: str) -> dict[str, Any]:
    """A pod of two containers (an init container on every third) in the given phase."""
    containers = [{"name": "app", "image": "registry.local/app:1.0", "ports": [{"containerPort": 8080}],
                   "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                 "limits": {"cpu": "500m", "memory": "256Mi"}}},
                  {"name": "proxy", "image": "registry.local/proxy:2.1",
                   "resources": {"requests": {"cpu": "50m", "memory": "32Mi"}}}]
    spec: dict[str, Any] = {"containers": containers, "restartPolicy": "Always", "priorityClassName": "standard",
                            "serviceAccountName": "default", "schedulerName": "default-scheduler",
                            "nodeSelector": {"kubernetes.io/os": "linux"}, "tolerations": [
                                {"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                 "effect": "NoExecute", "tolerationSeconds": 300}]}
    if index % 3 == 0:
        spec["initContainers"] = [{"name": "init", "image": "busybox:1.36",
                                   "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]
    if index % 4 == 0:
        spec["volumes"] = [{"name": "data", "persistentVolumeClaim": {"claimName": f"data-{name}",
                                                                      "readOnly": False}}]
    status: dict[str, Any] = {"qosClass": "Burstable"}
    if phase == "Pending":  # not scheduled: no node, no containers
        status.update(phase="Pending", conditions=[_condition("PodScheduled", "False", "Unschedulable")])
        return {"metadata": _meta(name, labels, ownerReferences=owner), "spec": spec, "status": status}
    spec["nodeName"] = node
    running = {"running": {"startedAt": T1}}
    states = {"Running": (running, True, 0), "CrashLoop": (
        {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}}, False,
        7), "Succeeded": ({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": T1,
                                          "finishedAt": "2026-11-01T00:10:00Z"}}, False, 0),
        "Failed": ({"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": T1,
                                   "finishedAt": "2026-11-01T00:03:00Z"}}, False, 2)}
    state, ready, restarts = states[phase]
    statuses = []
    for container in containers:
        entry = {"name": container["name"], "image": container["image"], "ready": ready,
                 "imageID": f"{container['image']}@sha256:{index:064x}", "restartCount": restarts,
                 "started": ready, "containerID": f"containerd://{index:08x}{container['name']}", "state": state}
        if phase == "CrashLoop":
            entry["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": T1,
                                                 "finishedAt": T1}}
        statuses.append(entry)
    ready_text = "True" if ready else "False"
    status.update(phase="Running" if phase == "CrashLoop" else phase, hostIP="192.168.0.10",
                  hostIPs=[{"ip": "192.168.0.10"}], podIP=f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}",
                  podIPs=[{"ip": f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"}], startTime=T0,
                  conditions=[_condition("Initialized"), _condition("Ready", ready_text),
                              _condition("ContainersReady", ready_text), _condition("PodScheduled")],
                  containerStatuses=statuses)
    if "initContainers" in spec:
        status["initContainerStatuses"] = [{
            "name": "init", "image": "busybox:1.36", "imageID": "busybox@sha256:1", "ready": True, "restartCount": 0,
            "containerID": f"containerd://{index:08x}init", "state": {"terminated": {
                "exitCode": 0, "reason": "Completed", "startedAt": T0, "finishedAt": T1}}}]
    if phase == "Failed" and index % 20 == 8:
        status.update(reason="Evicted", message="The node was low on resource: memory.")
    return {"metadata": _meta(name, labels, ownerReferences=owner), "spec": spec, "status": status}


def _create(store: Store, key: str, namespace: str, body: dict[str, Any]) -> None:
    try:
        store.create(R[key], namespace, body)
    except ApiError as exc:
        if exc.code != 409:  # already there (a second mix on the same store) is fine; invalid is not
            raise


def workload(store: Store, namespace: str, app: int, pods: int, first_index: int) -> None:
    """A deployment (or every fifth a statefulset) of `pods` pods with everything that usually comes with it."""
    name = f"app-{app}"
    labels = {"app": name, "tier": "backend" if app % 2 else "frontend"}
    selector = {"matchLabels": {"app": name}}
    template = _template(labels)
    ready = sum(1 for i in range(pods) if PHASES[(first_index + i) % len(PHASES)] == "Running")
    if app % 5 == 4:
        _create(store, "statefulsets.apps", namespace, {
            "metadata": _meta(name, labels), "spec": {"replicas": pods, "selector": selector, "template": template,
                                                      "serviceName": name, "podManagementPolicy": "Parallel"},
            "status": {"replicas": pods, "readyReplicas": ready, "currentReplicas": pods, "updatedReplicas": pods,
                       "availableReplicas": ready, "observedGeneration": 1, "currentRevision": f"{name}-6c9f",
                       "updateRevision": f"{name}-6c9f"}})
        owner = _owner("StatefulSet", name)
    else:
        rollout = app % 7 == 3
        _create(store, "deployments.apps", namespace, {
            "metadata": _meta(name, labels), "spec": {"replicas": pods, "selector": selector, "template": template,
                                                      "strategy": {"type": "RollingUpdate", "rollingUpdate": {
                                                          "maxSurge": "25%", "maxUnavailable": 1}}},
            "status": {"replicas": pods, "readyReplicas": ready, "availableReplicas": ready,
                       "unavailableReplicas": pods - ready, "updatedReplicas": pods - 1 if rollout else pods,
                       "observedGeneration": 1, "conditions": [
                           _condition("Available", "True" if ready == pods else "False", "MinimumReplicasAvailable"),
                           _condition("Progressing", "True", "NewReplicaSetAvailable")]}})
        _create(store, "replicasets.apps", namespace, {
            "metadata": _meta(f"{name}-5d8f", {**labels, "pod-template-hash": "5d8f"},
                              ownerReferences=_owner("Deployment", name)),
            "spec": {"replicas": pods, "selector": selector, "template": template},
            "status": {"replicas": pods, "readyReplicas": ready, "availableReplicas": ready,
                       "fullyLabeledReplicas": pods, "observedGeneration": 1}})
        owner = _owner("ReplicaSet", f"{name}-5d8f")
    addresses = []
    for offset in range(pods):
        index = first_index + offset
        pod_name = f"{name}-{offset}" if app % 5 == 4 else f"{name}-5d8f-{index:05d}"
        phase = PHASES[index % len(PHASES)]
        _create(store, "pods", namespace, pod(pod_name, labels, owner, phase, index, f"sim-node-{index % 2 + 1}"))
        if phase == "Running":
            addresses.append((pod_name, f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"))
        if index % 4 == 0:
            claim = f"data-{pod_name}"
            bound = index % 8 == 0
            _create(store, "persistentvolumeclaims", namespace, {
                "metadata": _meta(claim, labels), "spec": {
                    "accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                    "resources": {"requests": {"storage": "1Gi"}}, **({"volumeName": f"pv-{claim}"} if bound else {})},
                "status": {"phase": "Bound" if bound else "Pending",
                           **({"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"]} if bound else {})}})
            if bound:
                _create(store, "persistentvolumes", "", {
                    "metadata": _meta(f"pv-{claim}", {"type": "local"}), "spec": {
                        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                        "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "standard",
                        "claimRef": {"kind": "PersistentVolumeClaim", "namespace": namespace, "name": claim},
                        "csi": {"driver": "local.csi.k8s.io", "volumeHandle": f"vol-{claim}"}},
                    "status": {"phase": "Bound"}})
    _create(store, "services", namespace, {
        "metadata": _meta(name, labels), "spec": {
            "type": "LoadBalancer" if app % 9 == 1 else "ClusterIP",
            "clusterIP": f"10.100.{app >> 8 & 255}.{app & 255}",
            "selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]},
        "status": {"loadBalancer": {"ingress": [{"ip": f"203.0.113.{app & 255}"}]} if app % 9 == 1 else {}}})
    _create(store, "endpoints", namespace, {
        "metadata": _meta(name, labels), "subsets": [{
            "addresses": [{"ip": ip, "targetRef": {"kind": "Pod", "name": p, "namespace": namespace}}
                          for p, ip in addresses] or None,
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}] if addresses else []})
    _create(store, "endpointslices.discovery.k8s.io", namespace, {
        "metadata": _meta(f"{name}-abcde", {"kubernetes.io/service-name": name,
                                            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller"}),
        "addressType": "IPv4", "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        "endpoints": [{"addresses": [ip], "conditions": {"ready": True, "serving": True, "terminating": False},
                       "nodeName": "sim-node-1", "targetRef": {"kind": "Pod", "name": p, "namespace": namespace}}
                      for p, ip in addresses]})
    _create(store, "horizontalpodautoscalers.autoscaling", namespace, {
        "metadata": _meta(name, labels), "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet" if app % 5 == 4 else "Deployment",
                               "name": name},
            "minReplicas": 1, "maxReplicas": pods * 2, "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                             "averageUtilization": 70}}},
                {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue",
                                                                                "averageValue": "200Mi"}}}]},
        "status": {"currentReplicas": pods, "desiredReplicas": pods, "currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 40 + app % 50,
                                                                          "averageValue": "45m"}}}],
            "conditions": [_condition("AbleToScale", "True", "ReadyForNewScale"),
                           _condition("ScalingActive", "True", "ValidMetricFound"),
                           _condition("ScalingLimited", "False", "DesiredWithinRange")]}})
    _create(store, "poddisruptionbudgets.policy", namespace, {
        "metadata": _meta(name, labels), "spec": {"minAvailable": max(1, pods // 2), "selector": selector},
        "status": {"currentHealthy": ready, "desiredHealthy": max(1, pods // 2), "disruptionsAllowed":
                   max(0, ready - max(1, pods // 2)), "expectedPods": pods, "observedGeneration": 1}})
    _create(store, "configmaps", namespace, {"metadata": _meta(f"{name}-config", labels),
                                             "data": {"LOG_LEVEL": "info"}})
    _create(store, "secrets", namespace, {"metadata": _meta(f"{name}-tls", labels), "type": "kubernetes.io/tls",
                                          "data": {"tls.crt": "Y2VydA==", "tls.key": "a2V5"}})
    if app % 3 == 0:
        _create(store, "ingresses.networking.k8s.io", namespace, {
            "metadata": _meta(name, labels), "spec": {"ingressClassName": "nginx", "tls": [
                {"hosts": [f"{name}.example.com"], "secretName": f"{name}-tls"}], "rules": [{
                    "host": f"{name}.example.com", "http": {"paths": [{
                        "path": "/", "pathType": "Prefix", "backend": {"service": {"name": name,
                                                                                   "port": {"number": 80}}}}]}}]}})


def namespace_objects(store: Store, namespace: str, index: int) -> None:
    """What every namespace has besides its workloads."""
    _create(store, "namespaces", "", {"metadata": _meta(namespace, {"kubernetes.io/metadata.name": namespace,
                                                                    "team": f"team-{index % 3}"})})
    _create(store, "serviceaccounts", namespace, {"metadata": _meta("default"), "secrets": [{"name": "default-token"}],
                                                  "automountServiceAccountToken": False})
    _create(store, "limitranges", namespace, {"metadata": _meta("defaults"), "spec": {"limits": [
        {"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
         "defaultRequest": {"cpu": "100m", "memory": "128Mi"}, "max": {"cpu": "2", "memory": "2Gi"},
         "min": {"cpu": "10m", "memory": "16Mi"}}]}})
    _create(store, "resourcequotas", namespace, {"metadata": _meta("compute"), "spec": {"hard": {
        "requests.cpu": "20", "requests.memory": "40Gi", "pods": "200"}}, "status": {
        "hard": {"requests.cpu": "20", "requests.memory": "40Gi", "pods": "200"},
        "used": {"requests.cpu": "3500m", "requests.memory": "6Gi", "pods": "30"}}})
    _create(store, "networkpolicies.networking.k8s.io", namespace, {
        "metadata": _meta("default-deny"), "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
                                                    "ingress": [{"from": [{"podSelector": {}}]}],
                                                    "egress": [{"to": [{"namespaceSelector": {}}]}]}})
    _create(store, "roles.rbac.authorization.k8s.io", namespace, {
        "metadata": _meta("reader", {"app": "rbac"}), "rules": [
            {"apiGroups": [""], "resources": ["pods", "services"], "verbs": ["get", "list", "watch"]}]})
    _create(store, "rolebindings.rbac.authorization.k8s.io", namespace, {
        "metadata": _meta("reader", {"app": "rbac"}),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
        "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": namespace}]})
    _create(store, "replicationcontrollers", namespace, {
        "metadata": _meta("legacy", {"app": "legacy"}), "spec": {"replicas": 1, "selector": {"app": "legacy"},
                                                                 "template": _template({"app": "legacy"})},
        "status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1, "fullyLabeledReplicas": 1,
                   "observedGeneration": 1}})
    _create(store, "daemonsets.apps", namespace, {
        "metadata": _meta("log-agent", {"app": "log-agent"}), "spec": {
            "selector": {"matchLabels": {"app": "log-agent"}},
            "template": _template({"app": "log-agent"}, name="agent", image="registry.local/log-agent:3.2")},
        "status": {"currentNumberScheduled": 2, "desiredNumberScheduled": 2, "numberAvailable": 2,
                   "numberMisscheduled": 0, "numberReady": 2, "numberUnavailable": 0, "updatedNumberScheduled": 2,
                   "observedGeneration": 1}})
    for job, succeeded in (("migrate", True), ("backfill", False)):
        # The job controller's order since 1.31: SuccessCriteriaMet before Complete, FailureTarget before Failed.
        conditions = [_condition("SuccessCriteriaMet", "True", "CompletionsReached"),
                      _condition("Complete", "True", "CompletionsReached")] if succeeded else [
            _condition("FailureTarget", "True", "BackoffLimitExceeded"),
            _condition("Failed", "True", "BackoffLimitExceeded")]
        _create(store, "jobs.batch", namespace, {
            "metadata": _meta(f"{job}-{index}", {"job": job}, ownerReferences=_owner("CronJob", job, "batch/v1")),
            "spec": {"completions": 1, "parallelism": 1, "backoffLimit": 3, "activeDeadlineSeconds": 600,
                     "template": _template({"job-name": f"{job}-{index}"}, "Never", "m", "registry.local/m:1")},
            "status": {"succeeded" if succeeded else "failed": 1, "startTime": T0, "conditions": conditions,
                       **({"completionTime": T1} if succeeded else {})}})
    _create(store, "cronjobs.batch", namespace, {
        "metadata": _meta("migrate", {"job": "migrate"}), "spec": {
            "schedule": "*/30 * * * *", "concurrencyPolicy": "Forbid", "suspend": index % 4 == 3,
            "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1, "startingDeadlineSeconds": 120,
            "jobTemplate": {"spec": {"template": _template({"job": "migrate"}, "OnFailure", "m",
                                                           "registry.local/m:1")}}},
        "status": {"lastScheduleTime": T0, "lastSuccessfulTime": T1}})
    _create(store, "leases.coordination.k8s.io", namespace, {
        "metadata": _meta("leader", ownerReferences=_owner("Pod", "leader-0", "v1")),
        "spec": {"holderIdentity": "leader-0", "leaseDurationSeconds": 15, "renewTime": "2026-11-01T00:00:10.000000Z",
                 "acquireTime": "2026-11-01T00:00:00.000000Z"}})


def cluster_objects(store: Store) -> None:
    """The cluster-scoped kinds, once."""
    _create(store, "storageclasses.storage.k8s.io", "", {
        "metadata": _meta("standard", annotations={"storageclass.kubernetes.io/is-default-class": "true"}),
        "provisioner": "local.csi.k8s.io", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": True})
    _create(store, "ingressclasses.networking.k8s.io", "", {"metadata": _meta("nginx", annotations={
        "ingressclass.kubernetes.io/is-default-class": "true"}), "spec": {"controller": "k8s.io/ingress-nginx"}})
    for name, phase in (("pv-released", "Released"), ("pv-available", "Available"), ("pv-failed", "Failed")):
        _create(store, "persistentvolumes", "", {"metadata": _meta(name, {"type": "nfs"}), "spec": {
            "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteMany"], "storageClassName": "nfs",
            "persistentVolumeReclaimPolicy": "Retain", "nfs": {"server": "nfs.local", "path": f"/exports/{name}"}},
            "status": {"phase": phase}})
    _create(store, "volumeattachments.storage.k8s.io", "", {
        "metadata": _meta("csi-attach-1"), "spec": {"attacher": "local.csi.k8s.io", "nodeName": "sim-node-1",
                                                    "source": {"persistentVolumeName": "pv-released"}},
        "status": {"attached": True, "attachmentMetadata": {"devicePath": "/dev/sdb"}}})
    for name, approved in (("node-csr-1", True), ("node-csr-2", False)):
        _create(store, "certificatesigningrequests.certificates.k8s.io", "", {
            "metadata": _meta(name), "spec": {"signerName": "kubernetes.io/kube-apiserver-client-kubelet",
                                              "request": KUBELET_CSR, "usages": ["client auth"],
                                              "username": "system:node:sim-node-1"},
            "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "AutoApproved",
                                       "lastUpdateTime": T1}]} if approved else {}})
    _create(store, "clusterroles.rbac.authorization.k8s.io", "", {
        "metadata": _meta("view-all", {"app": "rbac"}), "rules": [
            {"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}]})
    _create(store, "clusterrolebindings.rbac.authorization.k8s.io", "", {
        "metadata": _meta("view-all", {"app": "rbac"}),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view-all"},
        "subjects": [{"kind": "Group", "name": "cluster-viewers", "apiGroup": "rbac.authorization.k8s.io"}]})
    webhook = {"name": "check.example.com", "admissionReviewVersions": ["v1"], "sideEffects": "None",
               "clientConfig": {"service": {"namespace": "default", "name": "webhook", "path": "/check"}}}
    _create(store, "validatingwebhookconfigurations.admissionregistration.k8s.io", "",
            {"metadata": _meta("policy-check"), "webhooks": [webhook]})
    _create(store, "mutatingwebhookconfigurations.admissionregistration.k8s.io", "",
            {"metadata": _meta("sidecar-injector"), "webhooks": [{**webhook, "name": "inject.example.com"}]})
    deployments = {"resourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                                      "resources": ["deployments"]}]}
    _create(store, "validatingadmissionpolicies.admissionregistration.k8s.io", "", {
        "metadata": _meta("replica-limit"), "spec": {"failurePolicy": "Fail", "matchConstraints": deployments,
                                                     "validations": [{"expression": "object.spec.replicas <= 50"}]},
        "status": {"observedGeneration": 1}})
    _create(store, "validatingadmissionpolicybindings.admissionregistration.k8s.io", "", {
        "metadata": _meta("replica-limit"), "spec": {"policyName": "replica-limit", "validationActions": ["Deny"]}})
    _create(store, "mutatingadmissionpolicies.admissionregistration.k8s.io", "", {
        "metadata": _meta("add-label"), "spec": {
            "failurePolicy": "Fail", "reinvocationPolicy": "Never", "matchConstraints": deployments,
            "mutations": [{"patchType": "ApplyConfiguration", "applyConfiguration": {
                "expression": 'Object{metadata: Object.metadata{labels: {"policy": "seen"}}}'}}]}})
    _create(store, "mutatingadmissionpolicybindings.admissionregistration.k8s.io", "", {
        "metadata": _meta("add-label"), "spec": {"policyName": "add-label"}})


def mix(store: Store, pods: int = 100, namespaces: int = 5, pods_per_workload: int = 10) -> None:
    """`pods` pods in `namespaces` namespaces, with every other kind (see the module docstring)."""
    cluster_objects(store)
    for index in range(namespaces):
        namespace_objects(store, f"team-{index}", index)
    app = created = 0
    while created < pods:
        size = min(pods_per_workload, pods - created)
        workload(store, f"team-{app % namespaces}", app, size, created)
        created += size
        app += 1
