"""StatefulSets: replicas, ordinals, PVC retention and revisions. Default labels namespace, statefulset."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, deletion_timestamp, field


def _ordinals_start(statefulset: dict[str, Any]) -> list[Row]:
    ordinals = (statefulset.get("spec") or {}).get("ordinals")
    return [((), (), float(ordinals.get("start") or 0))] if ordinals is not None else []


def _retention_policy(statefulset: dict[str, Any]) -> list[Row]:
    policy = (statefulset.get("spec") or {}).get("persistentVolumeClaimRetentionPolicy")
    if not policy or not (policy.get("whenDeleted") or policy.get("whenScaled")):
        return []
    return [(("when_deleted", "when_scaled"), (policy.get("whenDeleted", ""), policy.get("whenScaled", "")), 1.0)]


def families(allow: Allowlists) -> list[FamilyGenerator]:
    def status(name: str):
        return field("status", name, default=0.0)

    return [
        gauge("kube_statefulset_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_statefulset_status_replicas", "The number of replicas per StatefulSet.", status("replicas"),
              stable=True),
        gauge("kube_statefulset_status_replicas_available", "The number of available replicas per StatefulSet.",
              status("availableReplicas"), stable=True),
        gauge("kube_statefulset_status_replicas_current", "The number of current replicas per StatefulSet.",
              status("currentReplicas"), stable=True),
        gauge("kube_statefulset_status_replicas_ready", "The number of ready replicas per StatefulSet.",
              status("readyReplicas"), stable=True),
        gauge("kube_statefulset_status_replicas_updated", "The number of updated replicas per StatefulSet.",
              status("updatedReplicas"), stable=True),
        gauge("kube_statefulset_status_observed_generation", "The generation observed by the StatefulSet "
              "controller.", field("status", "observedGeneration", default=0.0), stable=True),
        gauge("kube_statefulset_replicas", "Number of desired pods for a StatefulSet.",
              field("spec", "replicas"), stable=True),
        gauge("kube_statefulset_ordinals_start", "Start ordinal of the StatefulSet.", _ordinals_start, stable=True),
        gauge("kube_statefulset_metadata_generation", "Sequence number representing a specific generation of the "
              "desired state for the StatefulSet.", field("metadata", "generation", default=0.0),
              stable=True),
        gauge("kube_statefulset_persistentvolumeclaim_retention_policy", "Count of retention policy for StatefulSet "
              "template PVCs", _retention_policy, stable=True),
        annotations_family("kube_statefulset_annotations", allow.annotations, stable=True),
        labels_family("kube_statefulset_labels", allow.labels, stable=True),
        gauge("kube_statefulset_status_current_revision", "Indicates the version of the StatefulSet used to "
              "generate Pods in the sequence [0,currentReplicas).",
              lambda s: [(("revision",), ((s.get("status") or {}).get("currentRevision", ""),), 1.0)], stable=True),
        gauge("kube_statefulset_status_update_revision", "Indicates the version of the StatefulSet used to "
              "generate Pods in the sequence [replicas-updatedReplicas,replicas)",
              lambda s: [(("revision",), ((s.get("status") or {}).get("updateRevision", ""),), 1.0)], stable=True),
        gauge("kube_statefulset_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp, stable=True),
    ]


SPEC = ResourceSpec("statefulsets", "apps", "v1", True, ("namespace", "statefulset"), families)
