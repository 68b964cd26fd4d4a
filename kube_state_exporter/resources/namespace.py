"""Namespaces: creation time, phase, conditions. Default label namespace."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import conditions_by_type, created, meta, metadata_map_rows


def _phase(namespace: dict[str, Any]) -> list[Row]:
    phase = (namespace.get("status") or {}).get("phase")
    return [(("phase",), (p,), 1.0 if p == phase else 0.0) for p in ("Active", "Terminating")]


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_namespace_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_namespace_annotations", "Kubernetes annotations converted to Prometheus labels.",
              metadata_map_rows("annotations", "annotation", allow.annotations)),
        gauge("kube_namespace_labels", "Kubernetes labels converted to Prometheus labels.",
              metadata_map_rows("labels", "label", allow.labels), stable=True),
        gauge("kube_namespace_status_phase", "kubernetes namespace status phase.", _phase, stable=True),
        gauge("kube_namespace_status_condition", "The condition of a namespace.", conditions_by_type),
    ]


SPEC = ResourceSpec("namespaces", "", "v1", False, ("namespace",), families,
                    default_values=lambda obj: (meta(obj).get("name", ""),))
