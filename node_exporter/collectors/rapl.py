"""node_rapl_*_joules_total: Intel RAPL energy counters from /sys/class/powercap/intel-rapl:*."""

from __future__ import annotations

import logging
import os
import re

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import Family, counter
from node_exporter.collector import Collector, Context, NoDataError, register
from node_exporter.paths import read_int, read_text

log = logging.getLogger(__name__)
INVALID_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_]")
# The zone names the kernel's RAPL drivers use, so each family name is spelled out; others are derived below.
KNOWN_ZONES = {
    "package": "node_rapl_package_joules_total",
    "core": "node_rapl_core_joules_total",
    "uncore": "node_rapl_uncore_joules_total",
    "dram": "node_rapl_dram_joules_total",
    "psys": "node_rapl_psys_joules_total",
}


def zones(root: str) -> list[tuple[str, int, str]]:
    """(name, index, path) of each zone, in directory order. "package-1" is name package, index 1; a name without
    an index is numbered by how many zones of that name came before it (Go's procfs rule)."""
    seen: dict[str, int] = {}
    found = []
    for entry in sorted(os.listdir(root)):
        if ":" not in entry:  # "intel-rapl" itself is the control type, not a zone
            continue
        path = os.path.join(root, entry)
        name = read_text(os.path.join(path, "name")).strip()
        base, dash, suffix = name.rpartition("-")
        if dash and suffix.isdigit():
            name, index = base, int(suffix)
        else:
            index = seen.get(name, 0)
            seen[name] = index + 1
        found.append((name, index, path))
    return found


@register
class RaplCollector(Collector):
    name = "rapl"
    ENABLE_ZONE_LABEL = Option("--collector.rapl.enable-zone-label", "rapl_enable_zone_label", False,
                               "Report every zone in one node_rapl_joules_total family with a rapl_zone label (Go "
                               "1.5's help text for this flag is a copy-paste slip).", is_flag=True)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.zone_label = bool(self.ENABLE_ZONE_LABEL.read(ctx.options))

    def update(self):
        root = self.paths.sys("class", "powercap")
        try:
            found = zones(root)
        except FileNotFoundError as exc:
            raise NoDataError("platform doesn't have powercap files present") from exc
        except PermissionError as exc:
            raise NoDataError("can't access powercap files") from exc
        families: dict[str, Family] = {}
        for name, index, path in found:
            try:
                joules = read_int(os.path.join(path, "energy_uj")) / 1e6
            except PermissionError as exc:  # energy_uj is root-only since the PLATYPUS fix
                raise NoDataError(f"can't access energy_uj file of {path}") from exc
            if self.zone_label:
                family = families.get("")
                if family is None:
                    family = families[""] = counter("node_rapl_joules_total", "Current RAPL value in joules",
                                                    ["index", "path", "rapl_zone"])
                family.add_metric([str(index), path, name], joules)
                continue
            family = families.get(name)
            if family is None:
                # a zone not in KNOWN_ZONES: the name comes from the data (the zone's sysfs name)
                metric = KNOWN_ZONES.get(name) or "node_rapl_" + INVALID_NAME_CHARS.sub("_", name) + "_joules_total"
                family = families[name] = counter(metric, f"Current RAPL {name} value in joules", ["index", "path"])
            family.add_metric([str(index), path], joules)
        yield from families.values()
