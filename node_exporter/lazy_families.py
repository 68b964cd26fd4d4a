"""Families made on first use, for collectors that learn their metrics from what the device lists (hwmon's sensor
files, ethtool's link modes and statistics)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from exporter_toolkit.families import Family, gauge


class LazyFamilies:
    """Families created on first use, keyed by name and kept in first-use order: each name keeps the HELP and type
    it was first made with."""

    def __init__(self) -> None:
        self.by_name: dict[str, Family] = {}

    def get(self, name: str, help_text: str, labels: list[str],
            kind: Callable[[str, str, list[str]], Family] = gauge) -> Family:
        family = self.by_name.get(name)
        if family is None:
            family = self.by_name[name] = kind(name, help_text, labels)
        return family

    def add(self, name: str, help_text: str, labels: list[str], values: Sequence[str], value: float,
            kind: Callable[[str, str, list[str]], Family] = gauge) -> None:
        self.get(name, help_text, labels, kind).add_metric(values, value)
