"""Reading objects as KSM does: paths, value conversions, label values (Go's %v) and labels from paths.

A path is a list of segments applied one at a time; a step that does not resolve gives None (a JSON null is
the same as a missing field). On a map a segment is a key, or "k=v" (the value of k when it is the string v);
on a list it is "[k=v]" (the first map element whose k matches v) or an index (negative: from the end).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from exporter_toolkit.errors import ConfigError
from kube_state_exporter.metric import format_value
from kube_state_exporter.resources.util import quantity

Path = tuple[str, ...]
_INVALID_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")
_INDEX = re.compile(r"^[+-]?[0-9]+$")
_RFC3339 = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
_PERCENT = re.compile(r"^[0-9]+(\.[0-9]+)?%$")  # KSM takes integer digits only; "85.5%" -> 0.855 is ours
_GO_FLOAT = re.compile(r"^[+-]?(inf|infinity|nan|[0-9]*\.?[0-9]*([eE][+-]?[0-9]+)?)$", re.IGNORECASE)
_GO_BOOLS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
             "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}


def compile_path(value: Any, where: str) -> Path:
    """A configured path, checked as KSM checks it when the config is compiled: "[...]" needs "key=value"."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(part, str | int) for part in value):
        raise ConfigError(f"{where}: a path is a list of strings, got {value!r}")
    path = tuple(str(part) for part in value)
    for segment in path:
        if segment.startswith("[") and segment.endswith("]") and "=" not in segment:
            raise ConfigError(f"{where} {show_path(path)}: invalid list lookup: {segment}")
    return path


def show_path(path: Sequence[str]) -> str:
    """A path as KSM's errors write it: [a,b]."""
    return "[" + ",".join(path) + "]"


def _matches(candidate: Any, wanted: str) -> bool:
    """A list element's field against the text of "[k=v]": same string, same number, or same Go bool."""
    if isinstance(candidate, str):
        return candidate == wanted
    if isinstance(candidate, bool):
        return wanted in _GO_BOOLS and _GO_BOOLS[wanted] == candidate
    if isinstance(candidate, int | float):
        try:
            return to_float(wanted, False) == float(candidate)
        except ValueError:
            return False
    return False


def _step(value: Any, segment: str) -> Any:
    if isinstance(value, dict):
        if segment.startswith("[") and segment.endswith("]"):
            return None
        key, eq, wanted = segment.partition("=")
        if eq and "=" not in wanted and isinstance(value.get(key), str) and value[key] == wanted:
            return value[key]
        return value.get(segment)
    if isinstance(value, list):
        if segment.startswith("[") and segment.endswith("]"):
            key, _, wanted = segment[1:-1].partition("=")
            return next((e for e in value if isinstance(e, dict) and key in e and _matches(e[key], wanted)), None)
        if not _INDEX.match(segment):
            return None
        index = int(segment)
        return value[index] if -len(value) <= index < len(value) else None
    return None


def get(value: Any, path: Path) -> Any:
    """The value at path under value, or None when a step does not resolve."""
    for segment in path:
        value = _step(value, segment)
        if value is None:
            return None
    return value


def go_type(value: Any) -> str:
    """Go's %T of a decoded JSON value, for KSM's error texts."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    return "string" if isinstance(value, str) else type(value).__name__


def to_float(value: Any, nil_is_zero: bool) -> float:
    """KSM's conversions: numbers, booleans, true/yes/false/no/unknown, RFC 3339 times (whole seconds),
    quantities, percentages, floats as Go parses them. ValueError otherwise."""
    if value is None:
        if nil_is_zero:
            return 0.0
        raise ValueError("expected number but found nil value")
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
        seconds = _rfc3339_seconds(value)
        if seconds is not None:
            return seconds
        if value == value.strip():  # resource.ParseQuantity takes no spaces; the shared parser strips them
            try:
                return quantity(value)
            except ValueError:
                pass
        if _PERCENT.match(value):
            return float(value[:-1]) / 100
        if _GO_FLOAT.match(value) and any(ch.isdigit() or ch in "iInN" for ch in value):
            try:
                return float(value)
            except ValueError:
                pass
        raise ValueError(f'strconv.ParseFloat: parsing "{value}": invalid syntax')
    raise ValueError(f"expected number but was {label_value(value)}")


def _rfc3339_seconds(value: str) -> float | None:
    """Unix seconds of an RFC 3339 time, the fraction dropped (Go's time.Unix); None if it is not one."""
    match = _RFC3339.match(value)
    if not match:
        return None
    try:
        base = datetime.fromisoformat(value[:19])
    except ValueError:
        return None
    offset = 0 if match.group(2) == "Z" else int(match.group(2)[1:3]) * 3600 + int(match.group(2)[4:6]) * 60
    if match.group(2)[0] == "-":
        offset = -offset
    return float(calendar.timegm(base.timetuple()) - offset)


def label_value(value: Any) -> str:
    """Go's %v of a decoded JSON value: floats like Go (1e+21), lists as [a b], maps as map[k:v]."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and -(1 << 63) <= value < 1 << 63:
        return str(value)
    if isinstance(value, int | float):
        return format_value(float(value))
    if value is None:
        return "<nil>"
    if isinstance(value, list):
        return "[" + " ".join(label_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{key}:{label_value(value[key])}" for key in sorted(value)) + "]"
    return str(value)


def label_name(name: str) -> str:
    return _INVALID_LABEL_CHARS.sub("_", name)


def is_copy_rule(name: str) -> bool:
    return name.startswith("*") or name.endswith("*")


def add_path_labels(obj: Any, labels_from_path: Iterable[tuple[str, Path]], into: dict[str, str]) -> None:
    """Labels whose values come from paths, added to `into`. A name starting or ending with "*" copies a whole
    map (keys prefixed by the text before a trailing "*"); copy rules apply first, in name order, then the
    plain names; a path that does not resolve gives no label."""
    rules = sorted(labels_from_path)
    for name, path in rules:
        if not is_copy_rule(name):
            continue
        value = get(obj, path)
        if isinstance(value, dict):
            prefix = name[:-1] if name.endswith("*") else ""
            for key, item in value.items():
                into[label_name(prefix + key)] = label_value(item)
    for name, path in rules:
        if is_copy_rule(name):
            continue
        value = get(obj, path)
        if value is not None:
            into[label_name(name)] = label_value(value)


def labels_at(obj: Any, labels_from_path: Iterable[tuple[str, Path]]) -> dict[str, str]:
    labels: dict[str, str] = {}
    add_path_labels(obj, labels_from_path, labels)
    return labels
