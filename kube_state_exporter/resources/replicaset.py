"""ReplicaSets: replicas and owner. Default labels namespace, replicaset."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import (
    created,
    field,
    owner_rows,
)


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_replicaset_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_replicaset_status_replicas", "The number of replicas per ReplicaSet.",
              field("status", "replicas", default=0.0), stable=True),
        gauge("kube_replicaset_status_fully_labeled_replicas", "The number of fully labeled replicas per "
              "ReplicaSet.", field("status", "fullyLabeledReplicas", default=0.0), stable=True),
        gauge("kube_replicaset_status_ready_replicas", "The number of ready replicas per ReplicaSet.",
              field("status", "readyReplicas", default=0.0), stable=True),
        gauge("kube_replicaset_status_terminating_replicas", "The number of terminating replicas per ReplicaSet.",
              field("status", "terminatingReplicas")),
        gauge("kube_replicaset_status_observed_generation", "The generation observed by the ReplicaSet controller.",
              field("status", "observedGeneration", default=0.0), stable=True),
        gauge("kube_replicaset_spec_replicas", "Number of desired pods for a ReplicaSet.",
              field("spec", "replicas"), stable=True),
        gauge("kube_replicaset_metadata_generation", "Sequence number representing a specific generation of the "
              "desired state.", field("metadata", "generation", default=0.0), stable=True),
        gauge("kube_replicaset_owner", "Information about the ReplicaSet's owner.", owner_rows, stable=True),
        annotations_family("kube_replicaset_annotations", allow.annotations),
        labels_family("kube_replicaset_labels", allow.labels, stable=True),
    ]


SPEC = ResourceSpec("replicasets", "apps", "v1", True, ("namespace", "replicaset"), families)
