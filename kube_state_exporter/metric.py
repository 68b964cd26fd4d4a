"""Family generators and the rendering of one object's families to text, done when its event arrives.

A generator is a pure function from an object (the raw JSON dict of the API) to rows
`(extra label keys, extra label values, value)`; the resource's default labels (namespace, pod, uid...) are
prepended when rendering. Output follows kube-state-metrics: default labels first, `[STABLE] ` HELP prefix,
Go's float formatting, `info` and `stateset` never appear (all gauges but the two restart counters).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from exporter_toolkit.exposition import escape_label_value as escape
from exporter_toolkit.exposition import format_value as format_value  # re-exported: kube's modules format with it

Row = tuple[Sequence[str], Sequence[str], float]


@dataclass(frozen=True)
class FamilyGenerator:
    name: str
    help: str
    fn: Callable[[dict[str, Any]], Iterable[Row]]
    type: str = "gauge"
    stable: bool = False
    opt_in: bool = False  # KSM's opt-in families: served only when named in --metric-opt-in-list

    def header(self) -> bytes:
        prefix = "[STABLE] " if self.stable else ""
        return f"# HELP {self.name} {prefix}{self.help}\n# TYPE {self.name} {self.type}\n".encode()

    def openmetrics_header(self) -> bytes:
        prefix = "[STABLE] " if self.stable else ""
        name = self.name[:-6] if self.type == "counter" and self.name.endswith("_total") else self.name
        return f"# HELP {name} {prefix}{self.help}\n# TYPE {name} {self.type}\n".encode()


def gauge(name: str, help_text: str, fn, stable: bool = False, opt_in: bool = False) -> FamilyGenerator:
    return FamilyGenerator(name, help_text, fn, "gauge", stable, opt_in)


def counter(name: str, help_text: str, fn, stable: bool = False, opt_in: bool = False) -> FamilyGenerator:
    return FamilyGenerator(name, help_text, fn, "counter", stable, opt_in)


def label_prefix(keys: Sequence[str], values: Sequence[str | None]) -> str:
    """`key="value",...`; a None value (a JSON null string field: Go decodes it as "") is an empty value."""
    return ",".join(f'{key}="{escape(value) if value is not None else ""}"'
                    for key, value in zip(keys, values, strict=True))

