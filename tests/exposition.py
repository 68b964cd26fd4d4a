"""Parsing a scrape for comparisons between exporters."""

from __future__ import annotations

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
