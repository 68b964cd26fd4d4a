"""The resources, one module each (as KSM's store files), registered here by name: RESOURCES maps the
--resources name to its ResourceSpec."""

from __future__ import annotations

from collections.abc import Mapping

from kube_state_exporter.resources import (
    certificatesigningrequest,
    clusterrole,
    clusterrolebinding,
    configmap,
    cronjob,
    daemonset,
    deployment,
    endpoint,
    endpointslice,
    horizontalpodautoscaler,
    ingress,
    ingressclass,
    job,
    lease,
    limitrange,
    mutatingadmissionpolicy,
    mutatingadmissionpolicybinding,
    mutatingwebhookconfiguration,
    namespace,
    networkpolicy,
    node,
    persistentvolume,
    persistentvolumeclaim,
    pod,
    poddisruptionbudget,
    replicaset,
    replicationcontroller,
    resourcequota,
    role,
    rolebinding,
    secret,
    service,
    serviceaccount,
    statefulset,
    storageclass,
    validatingadmissionpolicy,
    validatingadmissionpolicybinding,
    validatingwebhookconfiguration,
    volumeattachment,
)
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec

__all__ = ["DEFAULT_RESOURCES", "RESOURCES", "Allowlists", "ResourceSpec"]

RESOURCES: Mapping[str, ResourceSpec] = {spec.name: spec for spec in (
    certificatesigningrequest.SPEC, clusterrole.SPEC, clusterrolebinding.SPEC, configmap.SPEC, cronjob.SPEC,
    daemonset.SPEC, deployment.SPEC, endpoint.SPEC, endpointslice.SPEC, horizontalpodautoscaler.SPEC, ingress.SPEC,
    ingressclass.SPEC, job.SPEC, lease.SPEC, limitrange.SPEC, mutatingadmissionpolicy.SPEC,
    mutatingadmissionpolicybinding.SPEC, mutatingwebhookconfiguration.SPEC, namespace.SPEC, networkpolicy.SPEC,
    node.SPEC, persistentvolume.SPEC, persistentvolumeclaim.SPEC, pod.SPEC, poddisruptionbudget.SPEC,
    replicaset.SPEC, replicationcontroller.SPEC, resourcequota.SPEC, role.SPEC, rolebinding.SPEC, secret.SPEC,
    service.SPEC, serviceaccount.SPEC, statefulset.SPEC, storageclass.SPEC, validatingadmissionpolicy.SPEC,
    validatingadmissionpolicybinding.SPEC, validatingwebhookconfiguration.SPEC, volumeattachment.SPEC,
)}
DEFAULT_RESOURCES = tuple(sorted(name for name, spec in RESOURCES.items() if spec.enabled_by_default))
