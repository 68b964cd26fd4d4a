"""MutatingAdmissionPolicyBindings: info (policy and param reference), creation time. Default labels
namespace (empty: cluster-scoped), mutatingadmissionpolicybinding."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.admission_util import binding_info
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_mutatingadmissionpolicybinding_info", "Information about the MutatingAdmissionPolicyBinding.",
              binding_info),
        gauge("kube_mutatingadmissionpolicybinding_created", "Unix creation timestamp.", created),
    ]


SPEC = ResourceSpec("mutatingadmissionpolicybindings", "admissionregistration.k8s.io", "v1", False,
                    ("namespace", "mutatingadmissionpolicybinding"), families)
