"""MutatingAdmissionPolicies: info, creation time. Default labels namespace (empty: cluster-scoped),
mutatingadmissionpolicy."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.admission_util import policy_info
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_mutatingadmissionpolicy_info", "Information about the MutatingAdmissionPolicy.",
              lambda p: policy_info(p, mutating=True)),
        gauge("kube_mutatingadmissionpolicy_created", "Unix creation timestamp.", created),
    ]


SPEC = ResourceSpec("mutatingadmissionpolicies", "admissionregistration.k8s.io", "v1", False,
                    ("namespace", "mutatingadmissionpolicy"), families)
