"""Custom resource state metrics: kube-state-metrics' `--custom-resource-state-config(-file)` format.

A config names custom resources by group/version/kind and, for each, metrics of type Gauge, StateSet or Info
whose values and labels come from paths into the object. Each resource becomes a ResourceSpec like the built-in
ones, so custom objects are listed, watched, pre-rendered and joined exactly as pods are.

Paths (as KSM): a list of segments; a segment is a map key, a list index ("0"), a list element selected by
"[key=value]", or "key=value" (the field's value if it equals value). A missing segment yields nothing.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import yaml

from kube_state_exporter.metric import FamilyGenerator, Row
from kube_state_exporter.resources import Allowlists, ResourceSpec

log = logging.getLogger("kube_state_exporter")

Path = tuple[str, ...]
DEFAULT_PREFIX = "kube_customresource"
_INVALID_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
_SUFFIXES = {"": 1.0, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
             "E": 1e18, "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50, "Ei": 2.0**60}


class ConfigError(ValueError):
    """The custom resource state config cannot be used."""


class _Missing(Exception):
    """A path segment is not there."""


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


# --- reading objects -----------------------------------------------------------------------------------------

def _equal(candidate: Any, wanted: str) -> bool:
    if isinstance(candidate, bool):
        return str(candidate).lower() == wanted.lower()
    if isinstance(candidate, int | float):
        try:
            return float(candidate) == float(wanted)
        except ValueError:
            return False
    return str(candidate) == wanted


def resolve(value: Any, path: Path) -> Any:
    """The value at path, or _Missing."""
    for segment in path:
        if isinstance(value, dict):
            if segment in value:
                value = value[segment]
                continue
            key, eq, wanted = segment.partition("=")
            if eq and key in value and _equal(value[key], wanted):
                value = value[key]
                continue
            raise _Missing(segment)
        if isinstance(value, list):
            if segment.startswith("[") and segment.endswith("]") and "=" in segment:
                key, _, wanted = segment[1:-1].partition("=")
                for element in value:
                    if isinstance(element, dict) and key in element and _equal(element[key], wanted):
                        value = element
                        break
                else:
                    raise _Missing(segment)
                continue
            try:
                value = value[int(segment)]
            except (ValueError, IndexError):
                raise _Missing(segment) from None
            continue
        raise _Missing(segment)
    return value


def to_float(value: Any, nil_is_zero: bool) -> float:
    """KSM's conversions: numbers, booleans, true/yes/false/no/unknown, RFC3339 times, quantities, percentages."""
    if value is None:
        if nil_is_zero:
            return 0.0
        raise ValueError("the value is nil (set nilIsZero to read it as 0)")
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        lowered = value.lower()
        if lowered in ("true", "yes"):
            return 1.0
        if lowered in ("false", "no", "unknown"):
            return 0.0
        if len(value) >= 20 and value[4:5] == "-" and "T" in value:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                pass
        if value.endswith("%"):
            return float(value[:-1]) / 100
        match = _QUANTITY.match(value)
        if match and match.group(2) in _SUFFIXES:
            return float(match.group(1)) * _SUFFIXES[match.group(2)]
        return float(value)
    raise ValueError(f"cannot read {type(value).__name__} as a number")


def label_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and not math.isinf(value):
        return str(int(value))
    if value is None:
        return ""
    return str(value)


def _label_name(name: str) -> str:
    return _INVALID_LABEL_CHARS.sub("_", name)


def labels_at(obj: Any, labels_from_path: Iterable[tuple[str, Path]]) -> dict[str, str]:
    """Labels whose values come from paths; a name with "*" copies a whole map, its keys prefixed (KSM: explicit
    names win over copied ones)."""
    copied: dict[str, str] = {}
    named: dict[str, str] = {}
    for name, path in labels_from_path:
        try:
            value = resolve(obj, path)
        except _Missing:
            continue
        if "*" in name:
            if isinstance(value, dict):
                prefix = name.replace("*", "")
                for key, item in value.items():
                    copied[_label_name(prefix + key)] = label_value(item)
        elif not isinstance(value, dict | list):
            named[name] = label_value(value)
    return {**copied, **named}


# --- metrics -------------------------------------------------------------------------------------------------

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


def discover(api: Any, resources: Sequence[CustomResource]) -> dict[tuple[str, str, str], tuple[str, bool]]:
    """(group, version, kind) -> (plural, namespaced), from the API server's discovery of each group/version.
    A group/version not served yet (its CRD not installed) is left out: the configured plural is used and its
    list/watch backs off until the CRD appears."""
    import json

    from kube_state_exporter.api import get

    found: dict[tuple[str, str, str], tuple[str, bool]] = {}
    for group, version in sorted({(r.group, r.version) for r in resources}):
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        try:
            listing = json.loads(get(api, path).data)
        except Exception as exc:  # discovery failing is not fatal: the reflector reports and retries
            log.warning("custom resource group not served yet", extra={"group_version": path, "err": str(exc)[:200]})
            continue
        for entry in listing.get("resources") or []:
            if "/" not in entry.get("name", ""):  # skip subresources such as foos/status
                found[(group, version, entry.get("kind", ""))] = (entry["name"], bool(entry.get("namespaced")))
    return found


def specs_from_config(resources: Sequence[CustomResource], api: Any = None) -> list[ResourceSpec]:
    """The parsed resources as ResourceSpecs, with plurals and scopes from discovery when an API is given."""
    if api is None:
        return [resource_spec(r) for r in resources]
    served = discover(api, resources)
    specs = []
    for resource in resources:
        plural, namespaced = served.get((resource.group, resource.version, resource.kind), (resource.plural, True))
        specs.append(resource_spec(replace(resource, plural=plural), namespaced))
    return specs
