"""The custom resource state config: KSM's CustomResourceStateMetrics document parsed into resources and metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str, ...]
DEFAULT_PREFIX = "kube_customresource"


class ConfigError(ValueError):
    """The custom resource state config cannot be used."""


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


# --- configuration -------------------------------------------------------------------------------------------

def _path(value: Any, where: str) -> Path:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(part, str | int) for part in value):
        raise ConfigError(f"{where}: a path is a list of strings, got {value!r}")
    return tuple(str(part) for part in value)


def _labels_from_path(value: Any, where: str) -> tuple[tuple[str, Path], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigError(f"{where}.labelsFromPath: expected a mapping of label name to path")
    return tuple(sorted((str(name), _path(path, f"{where}.labelsFromPath.{name}")) for name, path in value.items()))


def _common_labels(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigError(f"{where}.commonLabels: expected a mapping of label name to value")
    return tuple(sorted((str(k), str(v)) for k, v in value.items()))


def _each(spec: Any, where: str) -> Each:
    if not isinstance(spec, dict) or "type" not in spec:
        raise ConfigError(f"{where}.each: needs a type (Gauge, StateSet or Info)")
    kind = spec["type"]
    body_key = {"Gauge": "gauge", "StateSet": "stateSet", "Info": "info"}.get(kind)
    if body_key is None:
        raise ConfigError(f"{where}.each.type: {kind!r} is not Gauge, StateSet or Info")
    body = spec.get(body_key) or {}
    inner = f"{where}.each.{body_key}"
    each = Each(
        type=kind,
        path=_path(body.get("path"), f"{inner}.path"),
        value_from=_path(body.get("valueFrom"), f"{inner}.valueFrom"),
        label_from_key=str(body.get("labelFromKey") or ""),
        labels_from_path=_labels_from_path(body.get("labelsFromPath"), inner),
        nil_is_zero=bool(body.get("nilIsZero", False)),
        label_name=str(body.get("labelName") or ""),
        states=tuple(str(s) for s in body.get("list") or ()),
    )
    if kind == "StateSet" and (not each.label_name or not each.states):
        raise ConfigError(f"{inner}: a StateSet needs labelName and list")
    return each


def parse_config(text: str) -> list[CustomResource]:
    """The config's resources; the plural is `resourcePlural` or the lower-case kind plus "s", as KSM does, until
    discovery says otherwise (specs_from_config)."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(document, dict) or document.get("kind", "CustomResourceStateMetrics") != \
            "CustomResourceStateMetrics" or not isinstance((document.get("spec") or {}).get("resources"), list):
        raise ConfigError("expected kind: CustomResourceStateMetrics with spec.resources")
    resources, seen = [], set()
    for index, entry in enumerate(document["spec"]["resources"]):
        where = f"spec.resources[{index}]"
        gvk = entry.get("groupVersionKind") or {}
        group, version, kind = (str(gvk.get(key) or "") for key in ("group", "version", "kind"))
        if not version or not kind:
            raise ConfigError(f"{where}.groupVersionKind: version and kind are required")
        if (group, kind) in seen:
            raise ConfigError(f"{where}: {kind}.{group} is configured twice")
        seen.add((group, kind))
        plural = entry.get("resourcePlural") or kind.lower() + "s"
        metrics = []
        for m_index, metric in enumerate(entry.get("metrics") or []):
            m_where = f"{where}.metrics[{m_index}]"
            if not metric.get("name"):
                raise ConfigError(f"{m_where}: a metric needs a name")
            metrics.append(Metric(
                name=str(metric["name"]), help=str(metric.get("help") or ""), each=_each(metric.get("each"), m_where),
                common_labels=_common_labels(metric.get("commonLabels"), m_where),
                labels_from_path=_labels_from_path(metric.get("labelsFromPath"), m_where),
                error_log_v=int(metric.get("errorLogV") or 0),
            ))
        prefix = entry.get("metricNamePrefix", DEFAULT_PREFIX)
        resources.append(CustomResource(
            group=group, version=version, kind=kind, plural=str(plural), prefix=str(prefix or ""),
            common_labels=_common_labels(entry.get("commonLabels"), where),
            labels_from_path=_labels_from_path(entry.get("labelsFromPath"), where), metrics=tuple(metrics),
        ))
    return resources
