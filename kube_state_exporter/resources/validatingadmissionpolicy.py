"""ValidatingAdmissionPolicies: info, creation time. Default labels namespace (empty: cluster-scoped),
validatingadmissionpolicy."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.admission_util import policy_info
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_validatingadmissionpolicy_info", "Information about the ValidatingAdmissionPolicy.",
              lambda p: policy_info(p, mutating=False)),
        gauge("kube_validatingadmissionpolicy_created", "Unix creation timestamp.", created),
    ]


SPEC = ResourceSpec("validatingadmissionpolicies", "admissionregistration.k8s.io", "v1", False,
                    ("namespace", "validatingadmissionpolicy"), families)
