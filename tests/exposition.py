"""Parsing a scrape for comparisons between exporters."""

from __future__ import annotations

import math
from decimal import Decimal

from prometheus_client.parser import text_string_to_metric_families


def families(text: str) -> dict[str, dict]:
    """family name -> {'type': ..., 'label_keys': {frozenset...}, 'samples': {(name, labels): value}}"""
    result: dict[str, dict] = {}
    for family in text_string_to_metric_families(text):
        entry = result.setdefault(family.name, {"type": family.type, "label_keys": set(), "samples": {}})
        for sample in family.samples:
            entry["label_keys"].add(frozenset(sample.labels))
            entry["samples"][(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return result


def samples(text: str) -> dict[tuple, float]:
    """(sample name, sorted label pairs) -> value, for every sample of a scrape."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def go_float(value: float, openmetrics: bool = False) -> str:
    """What client_golang writes for a sample value, worked out independently of exporter_toolkit's formatter:
    expfmt's literal 1, 0, -1, +Inf, -Inf, NaN, else strconv.FormatFloat(v, 'g', -1, 64) (shortest digits,
    %e when the decimal exponent is < -4 or >= 6); OpenMetrics adds ".0" where there is neither "." nor "e"."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value in (0.0, 1.0, -1.0):
        text = str(int(value))
    else:
        sign, digits, exponent = Decimal(repr(value)).as_tuple()
        numerals = "".join(map(str, digits)).rstrip("0")
        point = len(digits) + int(exponent) - 1  # the decimal exponent of the first digit
        if point < -4 or point >= 6:
            mantissa = numerals[0] + ("." + numerals[1:] if len(numerals) > 1 else "")
            text = f"{mantissa}e{'-' if point < 0 else '+'}{abs(point):02d}"
        elif point < 0:
            text = "0." + "0" * (-point - 1) + numerals
        else:
            whole, fraction = numerals[: point + 1], numerals[point + 1:]
            text = whole.ljust(point + 1, "0") + ("." + fraction if fraction else "")
        text = ("-" if sign else "") + text
    if openmetrics and "." not in text and "e" not in text:
        text += ".0"
    return text


def with_go_values(body: bytes, openmetrics: bool = False) -> bytes:
    """prometheus_client's exposition with each sample's value written as client_golang writes it (the last
    field of every sample line; the bodies compared here carry no timestamps)."""
    lines = []
    for line in body.decode().split("\n"):
        if line and not line.startswith("#"):
            head, _, value = line.rpartition(" ")
            line = f"{head} {go_float(float(value), openmetrics)}"
        lines.append(line)
    return "\n".join(lines).encode()
