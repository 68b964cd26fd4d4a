"""Small generator helpers the resources share: the `*_labels` / `*_annotations` pair, `*_info` without labels, a
numeric resourceVersion, and the quantities some of the later stores read (MilliValue()/1000, Value())."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.util import meta, metadata_map_rows

LABELS_HELP = "Kubernetes labels converted to Prometheus labels."
ANNOTATIONS_HELP = "Kubernetes annotations converted to Prometheus labels."
_QUANTITY = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")
_MILLI = Decimal("0.001")
_SUFFIXES = {"": Decimal(1), "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "k": Decimal("1e3"),
             "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"), "P": Decimal("1e15"),
             "E": Decimal("1e18"), "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30),
             "Ti": Decimal(2**40), "Pi": Decimal(2**50), "Ei": Decimal(2**60)}


def one(obj: dict[str, Any]) -> list[Row]:
    """A single series of value 1 with no extra label (the plain `*_info` families)."""
    return [((), (), 1.0)]


def resource_version(obj: dict[str, Any]) -> list[Row]:
    """metadata.resourceVersion as KSM's resourceVersionMetric reads it, with Go's strconv.ParseFloat (so "inf"
    is +Inf); no series when it does not parse (Python's float() would also take surrounding blanks and digit
    underscores, Go does not)."""
    text = meta(obj).get("resourceVersion", "")
    if not isinstance(text, str) or text != text.strip() or "_" in text:
        return []
    try:
        return [((), (), float(text))]
    except ValueError:
        return []


def labels_family(name: str, labels: list[str] | tuple[str, ...] | None, stable: bool = False) -> FamilyGenerator:
    return gauge(name, LABELS_HELP, metadata_map_rows("labels", "label", labels), stable=stable)


def annotations_family(name: str, annotations: list[str] | tuple[str, ...] | None,
                       stable: bool = False) -> FamilyGenerator:
    return gauge(name, ANNOTATIONS_HELP, metadata_map_rows("annotations", "annotation", annotations), stable=stable)


def _decimal_quantity(text: Any) -> Decimal | None:
    """A Kubernetes quantity ("1500m", "512Mi", "1e3") as an exact decimal; None when invalid. A JSON null (in a
    resource list) is the zero Quantity Go decodes it to."""
    if text is None:
        return Decimal(0)
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
