"""Helpers every resource uses, as kube-state-metrics' internal/store/utils.go defines them: timestamps,
condition state sets, quantities, label and annotation allowlists, owners."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from kube_state_exporter.metric import Row

CONDITION_STATUSES = ("true", "false", "unknown")
_INVALID = re.compile(r"[^a-zA-Z0-9_]")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$")
_SUFFIX = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60, "n": 1e-9, "u": 1e-6}


def timestamp(value: str | None) -> float | None:
    """RFC 3339 -> Unix seconds (float), None when unset."""
    if not value:
        return None
    if value.endswith("Z") and len(value) == 20:
        return float(calendar.timegm((int(value[0:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]),
                                      int(value[14:16]), int(value[17:19]), 0, 0, 0)))
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def created(obj: dict[str, Any]) -> Iterable[Row]:
    value = timestamp(meta(obj).get("creationTimestamp"))
    return [((), (), value)] if value else []


def deletion_timestamp(obj: dict[str, Any]) -> Iterable[Row]:
    value = timestamp(meta(obj).get("deletionTimestamp"))
    return [((), (), value)] if value else []


def condition_rows(status: str | None, keys: Sequence[str] = (), values: Sequence[str] = ()) -> list[Row]:
    """Three series, `status` true|false|unknown, 1 on the condition's status."""
    current = (status or "").lower()
    return [((*keys, "status"), (*values, s), 1.0 if s == current else 0.0) for s in CONDITION_STATUSES]


def conditions_by_type(obj: dict[str, Any]) -> list[Row]:
    """Three series per condition of status.conditions, labelled condition=<type> and status."""
    rows: list[Row] = []
    for condition in (obj.get("status") or {}).get("conditions") or []:
        rows.extend(condition_rows(condition.get("status"), ("condition",), (condition.get("type", ""),)))
    return rows


def condition_state_rows(status: str | None) -> list[Row]:
    """Pod-style: the label is called `condition`."""
    current = (status or "").lower()
    return [(("condition",), (s,), 1.0 if s == current else 0.0) for s in CONDITION_STATUSES]


def find_condition(conditions: Iterable[dict[str, Any]] | None, kind: str) -> dict[str, Any] | None:
    return next((c for c in conditions or () if c.get("type") == kind), None)


def quantity(text: str | int | float) -> float:
    """A Kubernetes quantity ("100m", "128Mi", "1e3") as a float in base units."""
    if isinstance(text, int | float):
        return float(text)
    match = _QUANTITY.match(str(text).strip())
    if not match or match.group(2) not in _SUFFIX:
        raise ValueError(f"invalid quantity {text!r}")
    return float(match.group(1)) * _SUFFIX[match.group(2)]


def sanitize(name: str) -> str:
    return _INVALID.sub("_", name)


def resource_unit(resource: str) -> tuple[str, str]:
    """(label value for `resource`, `unit`) as kube-state-metrics names them."""
    if resource == "cpu":
        return "cpu", "core"
    if resource in ("memory", "storage", "ephemeral-storage") or resource.startswith(("hugepages-",
                                                                                      "attachable-volumes-")):
        return sanitize(resource), "byte"
    return sanitize(resource), "integer"


def resource_rows(resources: Mapping[str, Any] | None, keys: Sequence[str] = (),
                  values: Sequence[str] = ()) -> list[Row]:
    rows = []
    for name in sorted(resources or {}):
        try:
            value = quantity(resources[name])
        except ValueError:
            continue
        label, unit = resource_unit(name)
        rows.append(((*keys, "resource", "unit"), (*values, label, unit), value))
    return rows


def prometheus_label_keys(keys: Iterable[str], prefix: str) -> list[str]:
    """Kubernetes keys to `label_<key>`: invalid characters to _, camelCase to snake_case, lower case;
    collisions get _conflict1, _conflict2, ..."""
    converted: dict[str, int] = {}
    names = []
    for key in keys:
        snake = _CAMEL.sub(r"\1_\2", sanitize(key)).lower()
        base = f"{prefix}_{snake}"
        count = converted.get(base, 0)
        converted[base] = count + 1
        names.append(base if count == 0 else f"{base}_conflict{count}")
    return names


def allowed(allowlist: Sequence[str] | None, mapping: Mapping[str, str]) -> list[str]:
    """The mapping's keys an allowlist admits ("*" admits all, "prefix-*" one wildcard)."""
    if not allowlist:
        return []
    if allowlist[0] == "*":
        return sorted(mapping)
    keys = []
    for key in sorted(mapping):
        for pattern in allowlist:
            if pattern == key or ("*" in pattern and re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), key)):
                keys.append(key)
                break
    return keys


def metadata_map_rows(field: str, prefix: str, allowlist: Sequence[str] | None):
    """The generator function of a *_labels or *_annotations family."""

    def fn(obj: dict[str, Any]) -> list[Row]:
        if not allowlist:
            return []
        mapping = meta(obj).get(field) or {}
        keys = allowed(allowlist, mapping)
        return [(tuple(prometheus_label_keys(keys, prefix)), tuple(mapping[k] for k in keys), 1.0)]

    return fn


def owner_rows(obj: dict[str, Any], with_controller: bool = True) -> list[Row]:
    owners = meta(obj).get("ownerReferences") or []
    keys = ("owner_kind", "owner_name", "owner_is_controller") if with_controller else ("owner_kind", "owner_name")
    if not owners:
        return [(keys, ("",) * len(keys), 1.0)]
    rows = []
    for owner in owners:
        values = [owner.get("kind", ""), owner.get("name", "")]
        if with_controller:
            values.append("true" if owner.get("controller") else "false")
        rows.append((keys, tuple(values), 1.0))
    return rows


def number(obj: dict[str, Any], *path: str) -> float | None:
    current: Any = obj
    for part in path:
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return float(current) if isinstance(current, int | float) and not isinstance(current, bool) else None


def optional(value: float | None) -> list[Row]:
    return [((), (), value)] if value is not None else []


def field(*path: str, default: float | None = None):
    """A generator function: the number at `path` (e.g. "status", "readyReplicas"), or `default` when unset
    (no series at all when the default is None)."""

    def fn(obj: dict[str, Any]) -> list[Row]:
        value = number(obj, *path)
        return optional(default if value is None else value)

    return fn
