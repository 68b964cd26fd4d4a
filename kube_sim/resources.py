"""The resources the simulator serves, as discovery describes them."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Resource:
    group: str  # "" for the core group
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def key(self) -> str:
        """What objects are stored under: one set per group and plural, whichever version serves them."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def prefix(self) -> str:
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"


RESOURCES = [
    Resource("", "v1", "Pod", "pods", True, ("po",)),
    Resource("", "v1", "Service", "services", True, ("svc",)),
    Resource("", "v1", "ConfigMap", "configmaps", True, ("cm",)),
    Resource("", "v1", "Secret", "secrets", True),
    Resource("", "v1", "Node", "nodes", False, ("no",)),
    Resource("", "v1", "Namespace", "namespaces", False, ("ns",)),
    Resource("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, ("pvc",)),
    Resource("", "v1", "ServiceAccount", "serviceaccounts", True, ("sa",)),
    Resource("", "v1", "Event", "events", True, ("ev",)),
    Resource("apps", "v1", "Deployment", "deployments", True, ("deploy",)),
    Resource("apps", "v1", "StatefulSet", "statefulsets", True, ("sts",)),
    Resource("apps", "v1", "DaemonSet", "daemonsets", True, ("ds",)),
    Resource("apps", "v1", "ReplicaSet", "replicasets", True, ("rs",)),
    Resource("batch", "v1", "Job", "jobs", True),
    Resource("batch", "v1", "CronJob", "cronjobs", True, ("cj",)),
    Resource("", "v1", "Endpoints", "endpoints", True, ("ep",)),
    Resource("", "v1", "LimitRange", "limitranges", True, ("limits",)),
    Resource("", "v1", "PersistentVolume", "persistentvolumes", False, ("pv",)),
    Resource("", "v1", "ReplicationController", "replicationcontrollers", True, ("rc",)),
    Resource("", "v1", "ResourceQuota", "resourcequotas", True, ("quota",)),
    Resource("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True, ("hpa",)),
    Resource("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", False, ("csr",)),
    Resource("coordination.k8s.io", "v1", "Lease", "leases", True),
    Resource("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True),
    Resource("networking.k8s.io", "v1", "Ingress", "ingresses", True, ("ing",)),
    Resource("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False),
    Resource("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", True, ("netpol",)),
    Resource("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, ("pdb",)),
    Resource("rbac.authorization.k8s.io", "v1", "Role", "roles", True),
    Resource("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True),
    Resource("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    Resource("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
    Resource("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ("sc",)),
    Resource("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", False),
    Resource("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations",
             False),
    Resource("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
             "validatingwebhookconfigurations", False),
    Resource("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", False),
    Resource("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding",
             "validatingadmissionpolicybindings", False),
    Resource("admissionregistration.k8s.io", "v1", "MutatingAdmissionPolicy", "mutatingadmissionpolicies", False),
    Resource("admissionregistration.k8s.io", "v1", "MutatingAdmissionPolicyBinding",
             "mutatingadmissionpolicybindings", False),
    Resource("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False,
             ("crd", "crds")),
]
BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCES}
GROUPS = {}
for _resource in RESOURCES:
    if _resource.group:
        GROUPS.setdefault(_resource.group, _resource.version)


class Registry:
    """The built-in resources plus those CustomResourceDefinitions add while they exist (one per served version).

    Per simulator, not global: tests run several simulators in one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_path: dict[tuple[str, str, str], Resource] = dict(BY_PATH)
        self._custom: dict[str, list[Resource]] = {}  # CRD name -> the resources it serves

    def get(self, group: str, version: str, plural: str) -> Resource | None:
        return self._by_path.get((group, version, plural))

    def all(self) -> list[Resource]:
        with self._lock:
            return list(self._by_path.values())

    def by_key(self, key: str) -> Resource | None:
        return next((r for r in self.all() if r.key == key), None)

    def groups(self) -> dict[str, list[str]]:
        """group -> versions, the preferred (first listed) version first."""
        found: dict[str, list[str]] = {}
        for resource in self.all():
            if resource.group and resource.version not in found.setdefault(resource.group, []):
                found[resource.group].append(resource.version)
        return found

    @staticmethod
    def custom_resources(crd: dict[str, Any]) -> list[Resource]:
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        return [Resource(spec.get("group", ""), version["name"], names.get("kind", ""), names.get("plural", ""),
                         spec.get("scope", "Namespaced") == "Namespaced", tuple(names.get("shortNames") or ()))
                for version in spec.get("versions") or () if version.get("served", True)]

    def define(self, crd: dict[str, Any]) -> list[Resource]:
        resources = self.custom_resources(crd)
        with self._lock:
            for old in self._custom.pop(crd["metadata"]["name"], []):
                self._by_path.pop((old.group, old.version, old.plural), None)
            for resource in resources:
                self._by_path[(resource.group, resource.version, resource.plural)] = resource
            self._custom[crd["metadata"]["name"]] = resources
        return resources

    def undefine(self, crd: dict[str, Any]) -> list[Resource]:
        with self._lock:
            resources = self._custom.pop(crd["metadata"]["name"], [])
            for old in resources:
                self._by_path.pop((old.group, old.version, old.plural), None)
        return resources
