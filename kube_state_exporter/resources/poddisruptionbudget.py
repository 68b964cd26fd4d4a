"""PodDisruptionBudgets: healthy pods (current, desired, expected), allowed disruptions, observed
generation. Default labels namespace, poddisruptionbudget."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, deletion_timestamp, field


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        annotations_family("kube_poddisruptionbudget_annotations", allow.annotations),
        labels_family("kube_poddisruptionbudget_labels", allow.labels),
        gauge("kube_poddisruptionbudget_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_poddisruptionbudget_status_current_healthy", "Current number of healthy pods",
              field("status", "currentHealthy", default=0.0), stable=True),
        gauge("kube_poddisruptionbudget_status_desired_healthy", "Minimum desired number of healthy pods",
              field("status", "desiredHealthy", default=0.0), stable=True),
        gauge("kube_poddisruptionbudget_status_pod_disruptions_allowed", "Number of pod disruptions that are "
              "currently allowed", field("status", "disruptionsAllowed", default=0.0), stable=True),
        gauge("kube_poddisruptionbudget_status_expected_pods", "Total number of pods counted by this disruption "
              "budget", field("status", "expectedPods", default=0.0), stable=True),
        gauge("kube_poddisruptionbudget_status_observed_generation", "Most recent generation observed when updating "
              "this PDB status", field("status", "observedGeneration", default=0.0), stable=True),
        gauge("kube_poddisruptionbudget_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
    ]


SPEC = ResourceSpec("poddisruptionbudgets", "policy", "v1", True, ("namespace", "poddisruptionbudget"), families)
