"""Reading objects: paths (as KSM: a map key, a list index, "[key=value]" on a list, "key=value" on a map), value
conversions to numbers and label values."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from kube_state_exporter.custom_resource_state.config import Path

_INVALID_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")
_SUFFIXES = {"": 1.0, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
             "E": 1e18, "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50, "Ei": 2.0**60}


class _Missing(Exception):
    """A path segment is not there."""


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
