"""DaemonSets: scheduling and availability numbers. Default labels namespace, daemonset."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, deletion_timestamp, field


def families(allow: Allowlists) -> list[FamilyGenerator]:
    def status(name: str):
        return field("status", name, default=0.0)

    return [
        gauge("kube_daemonset_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_daemonset_status_current_number_scheduled", "The number of nodes running at least one daemon "
              "pod and are supposed to.", status("currentNumberScheduled"), stable=True),
        gauge("kube_daemonset_status_desired_number_scheduled", "The number of nodes that should be running the "
              "daemon pod.", status("desiredNumberScheduled"), stable=True),
        gauge("kube_daemonset_status_number_available", "The number of nodes that should be running the daemon pod "
              "and have one or more of the daemon pod running and available", status("numberAvailable"),
              stable=True),
        gauge("kube_daemonset_status_number_misscheduled", "The number of nodes running a daemon pod but are not "
              "supposed to.", status("numberMisscheduled"), stable=True),
        gauge("kube_daemonset_status_number_ready", "The number of nodes that should be running the daemon pod and "
              "have one or more of the daemon pod running and ready.", status("numberReady"), stable=True),
        gauge("kube_daemonset_status_number_unavailable", "The number of nodes that should be running the daemon "
              "pod and have none of the daemon pod running and available", status("numberUnavailable"),
              stable=True),
        gauge("kube_daemonset_status_observed_generation", "The most recent generation observed by the daemon set "
              "controller.", status("observedGeneration"), stable=True),
        gauge("kube_daemonset_status_updated_number_scheduled", "The total number of nodes that are running updated "
              "daemon pod", status("updatedNumberScheduled"), stable=True),
        gauge("kube_daemonset_metadata_generation", "Sequence number representing a specific generation of the "
              "desired state.", field("metadata", "generation", default=0.0), stable=True),
        gauge("kube_daemonset_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
        annotations_family("kube_daemonset_annotations", allow.annotations),
        labels_family("kube_daemonset_labels", allow.labels, stable=True),
    ]


SPEC = ResourceSpec("daemonsets", "apps", "v1", True, ("namespace", "daemonset"), families)
