"""The custom resource state config: KSM's CustomResourceStateMetrics document parsed into resources and metrics,
every path checked when the config is read (a bad one is a ConfigError naming the resource, metric and path)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from exporter_toolkit.errors import ConfigError
from kube_state_exporter.custom_resource_state.paths import Path, compile_path

DEFAULT_PREFIX = "kube_customresource"
_BODIES = {"gauge": "gauge", "stateset": "stateSet", "info": "info"}
_TYPES = {"gauge": "Gauge", "stateset": "StateSet", "info": "Info"}

__all__ = ["DEFAULT_PREFIX", "ConfigError", "CustomResource", "Each", "Metric", "parse_config", "parse_each",
           "parse_resource"]


@dataclass(frozen=True)
class Each:
    """What one metric reads: its type and the type's fields."""

    type: str  # Gauge | StateSet | Info
    path: Path = ()
    value_from: Path = ()
    label_from_key: str = ""
    labels_from_path: tuple[tuple[str, Path], ...] = ()
    nil_is_zero: bool = False
    label_name: str = ""  # StateSet
    states: tuple[str, ...] = ()  # StateSet list


@dataclass(frozen=True)
class Metric:
    name: str
    help: str
    each: Each
    common_labels: tuple[tuple[str, str], ...] = ()
    labels_from_path: tuple[tuple[str, Path], ...] = ()
    error_log_v: int = 0


@dataclass(frozen=True)
class CustomResource:
    group: str
    version: str
    kind: str
    plural: str
    prefix: str = DEFAULT_PREFIX
    common_labels: tuple[tuple[str, str], ...] = ()
    labels_from_path: tuple[tuple[str, Path], ...] = ()
    metrics: tuple[Metric, ...] = field(default_factory=tuple)
    error_log_v: int = 0

    def full_name(self, metric: str) -> str:
        """<prefix>_<name>; the name alone when the prefix is ""."""
        return f"{self.prefix}_{metric}" if self.prefix else metric

    def fixed_labels(self) -> dict[str, str]:
        """The labels KSM adds to the resource's commonLabels."""
        return {"customresource_group": self.group, "customresource_kind": self.kind,
                "customresource_version": self.version}


def _mapping(value: Any, where: str) -> dict:
    """An optional mapping field: {} when absent."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping")
    return value


def _list(value: Any, where: str) -> list:
    """An optional list field: [] when absent."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list")
    return value


def _log_v(value: Any, where: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where}.errorLogV: expected an integer, got {value!r}")
    return value


def _labels_from_path(value: Any, where: str) -> tuple[tuple[str, Path], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigError(f"{where}.labelsFromPath: expected a mapping of label name to path")
    return tuple(sorted((str(name), compile_path(path, f"{where}.labelsFromPath.{name}"))
                        for name, path in value.items()))


def _common_labels(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigError(f"{where}.commonLabels: expected a mapping of label name to value")
    return tuple(sorted((str(k), str(v)) for k, v in value.items()))


def parse_each(spec: Any, where: str = "") -> Each:
    """One metric's `each` block; `where` prefixes error messages."""
    if not isinstance(spec, dict) or "type" not in spec:
        raise ConfigError(f"{where}each: needs a type (Gauge, StateSet or Info)")
    kind = str(spec["type"]).lower()
    if kind not in _BODIES:
        raise ConfigError(f"{where}each.type: {spec['type']!r} is not Gauge, StateSet or Info")
    body_key = _BODIES[kind]
    body = spec.get(body_key)
    inner = f"{where}each.{body_key}"
    if not isinstance(body, dict):
        raise ConfigError(f"{inner}: expected a mapping (the {_TYPES[kind]}'s fields)")
    each = Each(
        type=_TYPES[kind],
        path=compile_path(body.get("path"), f"{inner}.path"),
        value_from=compile_path(body.get("valueFrom"), f"{inner}.valueFrom"),
        label_from_key=str(body.get("labelFromKey") or ""),
        labels_from_path=_labels_from_path(body.get("labelsFromPath"), inner),
        nil_is_zero=bool(body.get("nilIsZero", False)),
        label_name=str(body.get("labelName") or ""),
        states=tuple(str(s) for s in _list(body.get("list"), f"{inner}.list")),
    )
    if each.type == "StateSet" and (not each.label_name or not each.states):
        raise ConfigError(f"{inner}: a StateSet needs labelName and list")
    return each


def parse_resource(entry: Any, where: str = "resource") -> CustomResource:
    """One entry of spec.resources; the plural is `resourcePlural` or the lower-case kind plus "s", as KSM does,
    until discovery says otherwise (specs_from_config)."""
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping")
    gvk = _mapping(entry.get("groupVersionKind"), f"{where}.groupVersionKind")
    group, version, kind = (str(gvk.get(key) or "") for key in ("group", "version", "kind"))
    if not version or not kind:
        raise ConfigError(f"{where}.groupVersionKind: version and kind are required")
    where = f"{where} ({kind}.{group})" if group else f"{where} ({kind})"
    resource_log_v = _log_v(entry.get("errorLogV"), where)
    metrics = []
    for m_index, metric in enumerate(_list(entry.get("metrics"), f"{where}.metrics")):
        if not isinstance(metric, dict) or not metric.get("name"):
            raise ConfigError(f"{where}.metrics[{m_index}]: a metric needs a name")
        m_where = f"{where} metric {metric['name']}"
        metrics.append(Metric(
            name=str(metric["name"]), help=str(metric.get("help") or ""),
            each=parse_each(metric.get("each"), f"{m_where}: "),
            common_labels=_common_labels(metric.get("commonLabels"), m_where),
            labels_from_path=_labels_from_path(metric.get("labelsFromPath"), m_where),
            error_log_v=_log_v(metric.get("errorLogV"), m_where) or resource_log_v,
        ))
    prefix = entry.get("metricNamePrefix")
    return CustomResource(
        group=group, version=version, kind=kind, plural=str(entry.get("resourcePlural") or kind.lower() + "s"),
        prefix=DEFAULT_PREFIX if prefix is None else str(prefix),
        common_labels=_common_labels(entry.get("commonLabels"), where),
        labels_from_path=_labels_from_path(entry.get("labelsFromPath"), where), metrics=tuple(metrics),
        error_log_v=resource_log_v,
    )


def parse_config(text: str) -> list[CustomResource]:
    """The config's resources."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(document, dict) or document.get("kind", "CustomResourceStateMetrics") != \
            "CustomResourceStateMetrics" or not isinstance(document.get("spec"), dict) \
            or not isinstance(document["spec"].get("resources"), list):
        raise ConfigError("expected kind: CustomResourceStateMetrics with spec.resources")
    resources, seen = [], set()
    for index, entry in enumerate(document["spec"]["resources"]):
        resource = parse_resource(entry, f"spec.resources[{index}]")
        if (resource.group, resource.kind) in seen:
            raise ConfigError(f"spec.resources[{index}]: {resource.kind}.{resource.group} is configured twice")
        seen.add((resource.group, resource.kind))
        resources.append(resource)
    return resources
