"""Namespaces: creation time, phase, conditions. Default label namespace."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import conditions_by_type, created, meta


def _phase(namespace: dict[str, Any]) -> list[Row]:
    phase = (namespace.get("status") or {}).get("phase")
    return [(("phase",), (p,), 1.0 if p == phase else 0.0) for p in ("Active", "Terminating")]


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_namespace_created", "Unix creation timestamp", created, stable=True),
        annotations_family("kube_namespace_annotations", allow.annotations),
        labels_family("kube_namespace_labels", allow.labels, stable=True),
        gauge("kube_namespace_status_phase", "kubernetes namespace status phase.", _phase, stable=True),
        gauge("kube_namespace_status_condition", "The condition of a namespace.", conditions_by_type),
    ]


SPEC = ResourceSpec("namespaces", "", "v1", False, ("namespace",), families,
                    default_values=lambda obj: (meta(obj).get("name", ""),))
