"""ValidatingAdmissionPolicyBindings: info (policy and param reference), creation time, one series per
validation action. Default labels namespace (empty: cluster-scoped), validatingadmissionpolicybinding."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.admission_util import binding_info
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def _actions(binding: dict[str, Any]) -> list[Row]:
    return [(("action",), (action,), 1.0) for action in (binding.get("spec") or {}).get("validationActions") or []]


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_validatingadmissionpolicybinding_info", "Information about the "
              "ValidatingAdmissionPolicyBinding.", binding_info),
        gauge("kube_validatingadmissionpolicybinding_created", "Unix creation timestamp.", created),
        gauge("kube_validatingadmissionpolicybinding_validation_action", "Validation actions for the "
              "ValidatingAdmissionPolicyBinding.", _actions),
    ]


SPEC = ResourceSpec("validatingadmissionpolicybindings", "admissionregistration.k8s.io", "v1", False,
                    ("namespace", "validatingadmissionpolicybinding"), families)
