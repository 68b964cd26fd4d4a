"""Small generator helpers the resources share: the `*_labels` / `*_annotations` pair, `*_info` without labels, a
numeric resourceVersion, and the quantities some of the later stores read (MilliValue()/1000, Value())."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.util import meta, metadata_map_rows, quantity_milli_value, quantity_value

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


def milli_quantity(text: Any) -> float | None:
    """A quantity as KSM reads most of them, float64(MilliValue())/1000 ("1234567n" -> 0.002); None when it does
    not parse (a JSON null in a resource list is the zero Quantity, 0)."""
    try:
        return quantity_milli_value(text) / 1000
    except (ValueError, ArithmeticError):
        return None


def whole_quantity(text: Any) -> float | None:
    """A quantity as Quantity.Value() gives it: rounded up to an integer ("1500m" -> 2); None when invalid."""
    try:
        return float(quantity_value(text))
    except (ValueError, ArithmeticError):
        return None
