"""ReplicationControllers: replicas (spec and status), generations, owner. Default labels namespace,
replicationcontroller."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, field, owner_rows


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_replicationcontroller_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_replicationcontroller_status_replicas", "The number of replicas per ReplicationController.",
              field("status", "replicas", default=0.0), stable=True),
        gauge("kube_replicationcontroller_status_fully_labeled_replicas", "The number of fully labeled replicas per "
              "ReplicationController.", field("status", "fullyLabeledReplicas", default=0.0), stable=True),
        gauge("kube_replicationcontroller_status_ready_replicas", "The number of ready replicas per "
              "ReplicationController.", field("status", "readyReplicas", default=0.0), stable=True),
        gauge("kube_replicationcontroller_status_available_replicas", "The number of available replicas per "
              "ReplicationController.", field("status", "availableReplicas", default=0.0), stable=True),
        gauge("kube_replicationcontroller_status_observed_generation", "The generation observed by the "
              "ReplicationController controller.", field("status", "observedGeneration", default=0.0), stable=True),
        gauge("kube_replicationcontroller_spec_replicas", "Number of desired pods for a ReplicationController.",
              field("spec", "replicas"), stable=True),
        gauge("kube_replicationcontroller_metadata_generation", "Sequence number representing a specific generation "
              "of the desired state.", field("metadata", "generation", default=0.0), stable=True),
        gauge("kube_replicationcontroller_owner", "Information about the ReplicationController's owner.",
              owner_rows),
    ]


SPEC = ResourceSpec("replicationcontrollers", "", "v1", True, ("namespace", "replicationcontroller"), families)
