"""A configured resource as a ResourceSpec: one family generator per metric, its samples read from each object.

Labels as KSM merges them: the resource's commonLabels (with customresource_group/_kind/_version), the metric's
over them, then the labels from paths (resource, then metric), then the sample's own labels over all of these."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kube_state_exporter.custom_resource_state.config import CustomResource, Metric
from kube_state_exporter.custom_resource_state.paths import Path, add_path_labels
from kube_state_exporter.custom_resource_state.read_errors import ReadErrors
from kube_state_exporter.custom_resource_state.values import Sample, each_samples
from kube_state_exporter.metric import FamilyGenerator, Row
from kube_state_exporter.resources import Allowlists, ResourceSpec


def family_labels(resource: CustomResource, metric: Metric) -> tuple[dict[str, str], tuple[tuple[str, Path], ...]]:
    """The family's commonLabels and labelsFromPath: the resource's (with the customresource_* labels), the
    metric's over them name by name."""
    common = {**resource.fixed_labels(), **dict(resource.common_labels), **dict(metric.common_labels)}
    from_path = {**dict(resource.labels_from_path), **dict(metric.labels_from_path)}
    return common, tuple(sorted(from_path.items()))


def base_labels(common: dict[str, str], labels_from_path: Iterable[tuple[str, Path]], obj: dict[str, Any]
                ) -> dict[str, str]:
    """The family's labels for the object, before the sample's own: commonLabels, then labels from paths."""
    labels = dict(common)
    add_path_labels(obj, labels_from_path, labels)
    return labels


def with_defaults(labels: dict[str, str], defaults: dict[str, str]) -> dict[str, str]:
    """A sample's labels with the family's base labels where the sample has none of that name."""
    return {**defaults, **labels}


def to_row(sample: Sample) -> Row:
    labels, value = sample
    keys = tuple(sorted(labels))
    return keys, tuple(labels[k] for k in keys), value


def _object_name(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}".lstrip("/")


def _generator(resource: CustomResource, metric: Metric, errors: ReadErrors | None) -> FamilyGenerator:
    name = resource.full_name(metric.name)
    common, labels_from_path = family_labels(resource, metric)

    def rows(obj: dict[str, Any]) -> list[Row]:
        samples, problems = each_samples(metric.each, obj)
        if errors is not None:
            for problem in problems:
                errors.record(resource.plural, name, _object_name(obj), problem, metric.error_log_v > 0)
        if not samples:
            return []
        base = base_labels(common, labels_from_path, obj)
        return [to_row((with_defaults(labels, base), value)) for labels, value in samples]

    return FamilyGenerator(name, metric.help, rows, "gauge")


def resource_spec(resource: CustomResource, namespaced: bool = True, errors: ReadErrors | None = None
                  ) -> ResourceSpec:
    """The custom resource as a resource like any other: no default labels, its metrics as family generators,
    read errors counted and logged through `errors`."""
    generators = [_generator(resource, metric, errors) for metric in resource.metrics]

    def families(_allow: Allowlists) -> list[FamilyGenerator]:
        return list(generators)

    # Named by its plural, which is also its list path (the built-in names are plurals of other groups).
    return ResourceSpec(resource.plural, resource.group, resource.version, namespaced, (), families,
                        default_values=lambda _obj: (), enabled_by_default=False)
