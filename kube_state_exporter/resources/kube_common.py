"""Small generator helpers the resources added for kube-state-metrics' remaining stores share: the
`*_labels` / `*_annotations` pair, `*_info` without labels, a numeric resourceVersion, plain integer fields."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.util import meta, metadata_map_rows, sanitize

LABELS_HELP = "Kubernetes labels converted to Prometheus labels."
ANNOTATIONS_HELP = "Kubernetes annotations converted to Prometheus labels."
_QUANTITY = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_MILLI = Decimal("0.001")
_SUFFIXES = {"": Decimal(1), "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "k": Decimal("1e3"),
             "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"), "P": Decimal("1e15"),
             "E": Decimal("1e18"), "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30),
             "Ti": Decimal(2**40), "Pi": Decimal(2**50), "Ei": Decimal(2**60)}


def one(obj: dict[str, Any]) -> list[Row]:
    """A single series of value 1 with no extra label (the plain `*_info` families)."""
    return [((), (), 1.0)]


def resource_version(obj: dict[str, Any]) -> list[Row]:
    """metadata.resourceVersion as a number; no series when it is not one (KSM parses it as a float)."""
    text = meta(obj).get("resourceVersion") or ""
    try:
        value = float(text)
    except ValueError:
        return []
    return [] if value != value or value in (float("inf"), float("-inf")) else [((), (), value)]


def integer(*path: str, default: float = 0.0) -> Callable[[dict[str, Any]], list[Row]]:
    """The Go int field at `path`, which reads 0 when unset (KSM always emits the series)."""

    def fn(obj: dict[str, Any]) -> list[Row]:
        current: Any = obj
        for part in path:
            current = current.get(part) if isinstance(current, dict) else None
        if isinstance(current, bool) or not isinstance(current, int | float):
            return [((), (), default)]
        return [((), (), float(current))]

    return fn


def labels_family(name: str, labels: list[str] | tuple[str, ...] | None, stable: bool = False) -> FamilyGenerator:
    return gauge(name, LABELS_HELP, metadata_map_rows("labels", "label", labels), stable=stable)


def annotations_family(name: str, annotations: list[str] | tuple[str, ...] | None,
                       stable: bool = False) -> FamilyGenerator:
    return gauge(name, ANNOTATIONS_HELP, metadata_map_rows("annotations", "annotation", annotations), stable=stable)


def _decimal_quantity(text: Any) -> Decimal | None:
    """A Kubernetes quantity ("1500m", "512Mi", "1e3") as an exact decimal; None when invalid."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return Decimal(repr(text)) if isinstance(text, float) else Decimal(text)
    match = _QUANTITY.match(str(text).strip())
    if not match or match.group(2) not in _SUFFIXES:
        return None
    number, suffix = match.groups()
    try:
        return Decimal(number) * _SUFFIXES[suffix]
    except InvalidOperation:
        return None


def milli_quantity(text: Any) -> float | None:
    """A quantity as KSM reads most of them, MilliValue()/1000: rounded up to a thousandth
    ("1234567n" -> 0.002, "26335914666m" -> 26335914.666); None when invalid."""
    value = _decimal_quantity(text)
    if value is None:
        return None
    return float(value.quantize(_MILLI, rounding=ROUND_CEILING))


def whole_quantity(text: Any) -> float | None:
    """A quantity as Quantity.Value() gives it: rounded up to an integer ("1500m" -> 2); None when invalid."""
    value = _decimal_quantity(text)
    if value is None:
        return None
    return float(value.to_integral_value(rounding=ROUND_CEILING))


def conflict_free_keys(keys: list[str], prefix: str) -> list[str]:
    """`prefix_<key>` label names for sorted Kubernetes keys, as KSM converts them: invalid characters to _,
    camelCase to snake_case, lower case; when several keys convert to the same name, every one of them gets
    _conflict1, _conflict2, ... in key order (the first one too)."""
    names = [prefix + "_" + _CAMEL.sub(r"\1_\2", sanitize(key)).lower() for key in keys]
    totals = Counter(names)
    seen: Counter = Counter()
    result = []
    for name in names:
        if totals[name] > 1:
            seen[name] += 1
            name = f"{name}_conflict{seen[name]}"
        result.append(name)
    return result
