"""node_sysctl_*: the sysctls named by --collector.sysctl.include (numbers) and --collector.sysctl.include-info
(strings, as node_sysctl_info labels), read from /proc/sys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import Family, gauge, untyped
from node_exporter.collector import Collector, Context, register
from node_exporter.paths import read_text

INVALID_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_]")


@dataclass(frozen=True)
class Sysctl:
    """One flag value: `name` or `name:field1,field2` (one metric per field instead of an index label)."""

    name: str
    numeric: bool
    keys: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str, numeric: bool) -> Sysctl:
        name, sep, keys = text.partition(":")
        return cls(name, numeric, tuple(keys.split(",")) if sep else ())

    @property
    def metric_suffix(self) -> str:
        return INVALID_NAME_CHARS.sub("_", self.name)


@register
class SysctlCollector(Collector):
    name = "sysctl"
    enabled_by_default = False
    INCLUDE = Option("--collector.sysctl.include", "sysctl_include", (),
                     help="Select sysctl metrics to include (repeatable; NAME or NAME:field1,field2)", multiple=True)
    INCLUDE_INFO = Option("--collector.sysctl.include-info", "sysctl_include_info", (),
                          help="Select sysctl metrics to include as info metrics (repeatable)", multiple=True)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.sysctls = [Sysctl.parse(text, True) for text in self.INCLUDE.read(ctx.options)]
        self.sysctls += [Sysctl.parse(text, False) for text in self.INCLUDE_INFO.read(ctx.options)]

    def _values(self, sysctl: Sysctl) -> list[str]:
        values = read_text(self.paths.proc("sys", *sysctl.name.split("."))).split()
        if not values:
            raise ValueError(f"sysctl {sysctl.name} has no values")
        return values

    def update(self):
        families: dict[str, Family] = {}
        info = gauge("node_sysctl_info", "sysctl info", ["name", "value", "index"])

        def family(name: str, documentation: str, labels: list[str]) -> Family:
            if name not in families:
                families[name] = untyped(name, documentation, labels)
            return families[name]

        for sysctl in self.sysctls:
            values = self._values(sysctl)
            if not sysctl.numeric:
                if sysctl.keys:
                    raise ValueError("mapped sysctl string values not supported")
                for index, value in enumerate(values):
                    info.add_metric([sysctl.name, value, str(index)], 1.0)
                continue
            numbers = [int(value) for value in values]
            base = "node_sysctl_" + sysctl.metric_suffix  # the sysctl's own name: known only from the flag
            if len(numbers) == 1:
                if sysctl.keys:
                    raise ValueError(f"sysctl {sysctl.name} has only one value, but expected {list(sysctl.keys)}")
                family(base, f"sysctl {sysctl.name}", []).add_metric([], numbers[0])
            elif not sysctl.keys:
                indexed = family(base, f"sysctl {sysctl.name}", ["index"])
                for index, number in enumerate(numbers):
                    indexed.add_metric([str(index)], number)
            elif len(numbers) != len(sysctl.keys):
                raise ValueError(f"sysctl {sysctl.name} has {len(numbers)} keys but only {len(sysctl.keys)} "
                                 "defined in flag")
            else:
                for index, (key, number) in enumerate(zip(sysctl.keys, numbers, strict=True)):
                    family(f"{base}_{key}", f"sysctl {sysctl.name}, field {index}", []).add_metric([], number)
        yield from families.values()
        if info.rows:
            yield info
