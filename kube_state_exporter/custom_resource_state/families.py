"""A configured resource as a ResourceSpec: one family generator per metric, its samples read from each object."""

from __future__ import annotations

import logging
from typing import Any

from kube_state_exporter.custom_resource_state.config import CustomResource, Metric
from kube_state_exporter.custom_resource_state.paths import _Missing, label_value, labels_at, resolve, to_float
from kube_state_exporter.metric import FamilyGenerator, Row
from kube_state_exporter.resources import Allowlists, ResourceSpec

log = logging.getLogger("kube_state_exporter")


def _samples(metric: Metric, obj: dict[str, Any]) -> list[tuple[dict[str, str], float]]:
    """(labels of the `each` level, value) for one metric of one object."""
    each = metric.each
    try:
        target = resolve(obj, each.path)
    except _Missing:
        if each.type == "Gauge" and each.nil_is_zero:
            return [({}, 0.0)]
        raise
    if each.type == "StateSet":
        current = resolve(target, each.value_from) if each.value_from else target
        base = labels_at(target, each.labels_from_path) if isinstance(target, dict) else {}
        return [({**base, each.label_name: state}, 1.0 if label_value(current) == state else 0.0)
                for state in each.states]
    elements: list[tuple[str | None, Any]]
    if isinstance(target, list):
        elements = [(None, element) for element in target]
    elif isinstance(target, dict) and (each.label_from_key or (each.type == "Gauge" and not each.value_from)):
        elements = sorted(target.items())
    else:
        elements = [(None, target)]
    samples = []
    for key, element in elements:
        labels = labels_at(element, each.labels_from_path)
        if key is not None and each.label_from_key:
            labels[each.label_from_key] = key
        if each.type == "Info":
            if labels:  # KSM: an Info sample exists only when some label resolved
                samples.append((labels, 1.0))
            continue
        try:
            raw = resolve(element, each.value_from) if each.value_from else element
        except _Missing:
            if not each.nil_is_zero:
                continue
            raw = None
        samples.append((labels, to_float(raw, each.nil_is_zero)))
    return samples


def _generator(resource: CustomResource, metric: Metric) -> FamilyGenerator:
    name = f"{resource.prefix}_{metric.name}" if resource.prefix else metric.name
    fixed = {"customresource_group": resource.group, "customresource_kind": resource.kind,
             "customresource_version": resource.version}

    def rows(obj: dict[str, Any]) -> list[Row]:
        base = {**dict(resource.common_labels), **labels_at(obj, resource.labels_from_path),
                **dict(metric.common_labels), **labels_at(obj, metric.labels_from_path)}
        try:
            samples = _samples(metric, obj)
        except (_Missing, ValueError) as exc:
            if metric.error_log_v == 0:
                meta = obj.get("metadata") or {}
                log.debug("custom resource metric has no value", extra={
                    "metric": name, "object": f"{meta.get('namespace', '')}/{meta.get('name', '')}", "err": str(exc)})
            return []
        out = []
        for labels, value in samples:
            merged = {**base, **labels, **fixed}  # the customresource_* labels are reserved: they always win
            keys = tuple(sorted(merged))
            out.append((keys, tuple(merged[k] for k in keys), value))
        return out

    return FamilyGenerator(name, metric.help, rows, "gauge")


def resource_spec(resource: CustomResource, namespaced: bool = True) -> ResourceSpec:
    """The custom resource as a resource like any other: no default labels, its metrics as family generators."""
    generators = [_generator(resource, metric) for metric in resource.metrics]

    def families(_allow: Allowlists) -> list[FamilyGenerator]:
        return list(generators)

    # Named by its plural, which is also its list path (the built-in names are plurals of other groups).
    return ResourceSpec(resource.plural, resource.group, resource.version, namespaced, (), families,
                        default_values=lambda _obj: (), enabled_by_default=False)
