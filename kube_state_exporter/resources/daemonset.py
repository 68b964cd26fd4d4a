"""DaemonSets: scheduling and availability numbers. Default labels namespace, daemonset."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, deletion_timestamp, field, metadata_map_rows

STATUS = (
    ("current_number_scheduled", "currentNumberScheduled", "The number of nodes running at least one daemon pod "
     "and are supposed to."),
    ("desired_number_scheduled", "desiredNumberScheduled", "The number of nodes that should be running the daemon "
     "pod."),
    ("number_available", "numberAvailable", "The number of nodes that should be running the daemon pod and have "
     "one or more of the daemon pod running and available"),
    ("number_misscheduled", "numberMisscheduled", "The number of nodes running a daemon pod but are not supposed "
     "to."),
    ("number_ready", "numberReady", "The number of nodes that should be running the daemon pod and have one or "
     "more of the daemon pod running and ready."),
    ("number_unavailable", "numberUnavailable", "The number of nodes that should be running the daemon pod and "
     "have none of the daemon pod running and available"),
    ("updated_number_scheduled", "updatedNumberScheduled", "The total number of nodes that are running updated "
     "daemon pod"),
)


def families(allow: Allowlists) -> list[FamilyGenerator]:
    generators = [gauge("kube_daemonset_created", "Unix creation timestamp", created, stable=True)]
    for suffix, field_name, help_text in STATUS:
        generators.append(gauge(f"kube_daemonset_status_{suffix}", help_text,
                                field("status", field_name, default=0.0), stable=True))
    generators += [
        gauge("kube_daemonset_status_observed_generation", "The most recent generation observed by the daemon set "
              "controller.", field("status", "observedGeneration", default=0.0), stable=True),
        gauge("kube_daemonset_metadata_generation", "Sequence number representing a specific generation of the "
              "desired state.", field("metadata", "generation"), stable=True),
        gauge("kube_daemonset_labels", "Kubernetes labels converted to Prometheus labels.",
              metadata_map_rows("labels", "label", allow.labels), stable=True),
        gauge("kube_daemonset_annotations", "Kubernetes annotations converted to Prometheus labels.",
              metadata_map_rows("annotations", "annotation", allow.annotations)),
        gauge("kube_daemonset_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
    ]
    return generators


SPEC = ResourceSpec("daemonsets", "apps", "v1", True, ("namespace", "daemonset"), families)
