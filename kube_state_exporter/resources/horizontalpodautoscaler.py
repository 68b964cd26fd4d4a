"""HorizontalPodAutoscalers (autoscaling/v2): info (scale target), replica bounds and counts, target and
current metric values, behavior tolerances, conditions. Default labels namespace, horizontalpodautoscaler."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, milli_quantity
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import condition_rows, created, deletion_timestamp, field

METRIC_KEYS = ("metric_name", "metric_target_type", "container")
# Per source type: the field holding the source, and the value fields read from its target / current.
SOURCES = {"Object": "object", "Pods": "pods", "Resource": "resource", "ContainerResource": "containerResource",
           "External": "external"}
VALUE_FIELDS = (("value", "value"), ("averageUtilization", "utilization"), ("averageValue", "average"))


def _metric_rows(metrics: list[dict[str, Any]] | None, part: str) -> list[Row]:
    """One series per value set in each metric's `part` ("target" of the spec, "current" of the status),
    labelled with the metric name (a resource's name for Resource sources), the value kind and the container."""
    rows: list[Row] = []
    for item in metrics or []:
        field = SOURCES.get(item.get("type", ""))
        source = item.get(field) if field else None
        if not isinstance(source, dict):
            continue
        if field in ("resource", "containerResource"):
            name = source.get("name", "")
        else:
            name = (source.get("metric") or {}).get("name", "")
        values = source.get(part) or {}
        for key, kind in VALUE_FIELDS:
            if values.get(key) is None:
                continue
            value = milli_quantity(values[key])
            if value is not None:
                rows.append((METRIC_KEYS, (name, kind, source.get("container", "")), value))
    return rows


def _info(hpa: dict[str, Any]) -> list[Row]:
    ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
    keys: tuple[str, ...] = ("scaletargetref_kind", "scaletargetref_name")
    values: tuple[str, ...] = (ref.get("kind", ""), ref.get("name", ""))
    if ref.get("apiVersion"):
        keys, values = ("scaletargetref_api_version", *keys), (ref["apiVersion"], *values)
    return [(keys, values, 1.0)]


def _min_replicas(hpa: dict[str, Any]) -> list[Row]:
    value = (hpa.get("spec") or {}).get("minReplicas")
    return [((), (), float(1 if value is None else value))]


def _tolerance(direction: str):
    def fn(hpa: dict[str, Any]) -> list[Row]:
        rules = ((hpa.get("spec") or {}).get("behavior") or {}).get(direction) or {}
        value = milli_quantity(rules["tolerance"]) if rules.get("tolerance") is not None else None
        return [((), (), value)] if value is not None else []
    return fn


def _conditions(hpa: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for condition in (hpa.get("status") or {}).get("conditions") or []:
        rows.extend(condition_rows(condition.get("status"), ("condition",), (condition.get("type", ""),)))
    return rows


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_horizontalpodautoscaler_info", "Information about this autoscaler.", _info),
        gauge("kube_horizontalpodautoscaler_metadata_generation", "The generation observed by the "
              "HorizontalPodAutoscaler controller.", field("metadata", "generation", default=0.0), stable=True),
        gauge("kube_horizontalpodautoscaler_spec_max_replicas", "Upper limit for the number of pods that can be set "
              "by the autoscaler; cannot be smaller than MinReplicas.", field("spec", "maxReplicas", default=0.0),
              stable=True),
        gauge("kube_horizontalpodautoscaler_spec_min_replicas", "Lower limit for the number of pods that can be set "
              "by the autoscaler, default 1.", _min_replicas, stable=True),
        gauge("kube_horizontalpodautoscaler_spec_target_metric", "The metric specifications used by this autoscaler "
              "when calculating the desired replica count.",
              lambda h: _metric_rows((h.get("spec") or {}).get("metrics"), "target")),
        gauge("kube_horizontalpodautoscaler_spec_behavior_scale_down_tolerance", "The tolerance on the ratio "
              "between the current and desired metric value below which no scale down occurs.",
              _tolerance("scaleDown")),
        gauge("kube_horizontalpodautoscaler_spec_behavior_scale_up_tolerance", "The tolerance on the ratio between "
              "the current and desired metric value below which no scale up occurs.", _tolerance("scaleUp")),
        gauge("kube_horizontalpodautoscaler_status_target_metric", "The current metric status used by this "
              "autoscaler when calculating the desired replica count.",
              lambda h: _metric_rows((h.get("status") or {}).get("currentMetrics"), "current"), stable=True),
        gauge("kube_horizontalpodautoscaler_status_current_replicas", "Current number of replicas of pods managed by "
              "this autoscaler.", field("status", "currentReplicas", default=0.0), stable=True),
        gauge("kube_horizontalpodautoscaler_status_desired_replicas", "Desired number of replicas of pods managed by "
              "this autoscaler.", field("status", "desiredReplicas", default=0.0), stable=True),
        annotations_family("kube_horizontalpodautoscaler_annotations", allow.annotations),
        labels_family("kube_horizontalpodautoscaler_labels", allow.labels, stable=True),
        gauge("kube_horizontalpodautoscaler_status_condition", "The condition of this autoscaler.", _conditions,
              stable=True),
        gauge("kube_horizontalpodautoscaler_created", "Unix creation timestamp", created),
        gauge("kube_horizontalpodautoscaler_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
    ]


SPEC = ResourceSpec("horizontalpodautoscalers", "autoscaling", "v2", True, ("namespace", "horizontalpodautoscaler"),
                    families)
