"""node_memory_numa_*: per-NUMA-node meminfo (gauges) and numastat (counters) from sysfs."""

from __future__ import annotations

import glob
import os
import re

from exporter_toolkit.families import Family, counter, gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text

NODE_DIR = re.compile(r"node(\d+)$")
PARENTHESES = re.compile(r"\((.*)\)")


def parse_node_meminfo(text: str) -> list[tuple[str, float]]:
    """'Node 0 Active(anon): 1 kB' -> [('Active_anon', 1024.0)]."""
    fields = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 4:
            raise ValueError(f"line scan did not return at least 4 fields: {line!r}")
        value = float(parts[3])
        if len(parts) == 5 and parts[4] == "kB":
            value *= 1024
        elif len(parts) != 4:
            raise ValueError(f"invalid line in node meminfo: {line!r}")
        fields.append((PARENTHESES.sub(r"_\1", parts[2].rstrip(":")), value))
    return fields


def parse_numastat(text: str) -> list[tuple[str, float]]:
    fields = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ValueError(f"line scan did not return 2 fields: {line!r}")
        fields.append((parts[0] + "_total", float(parts[1])))
    return fields


@register
class MeminfoNumaCollector(Collector):
    name = "meminfo_numa"
    enabled_by_default = False

    def update(self):
        nodes = []
        for directory in glob.glob(self.paths.sys("devices", "system", "node", "node[0-9]*")):
            match = NODE_DIR.search(directory)
            if match:
                nodes.append((int(match.group(1)), directory))
        # the names come from the data: every field of the nodes' meminfo and numastat files
        families: dict[str, Family] = {}
        for number, directory in sorted(nodes):
            node = str(number)
            for field, value in parse_node_meminfo(read_text(os.path.join(directory, "meminfo"))):
                family = families.get(field)
                if family is None:
                    family = families[field] = gauge(f"node_memory_numa_{field}",
                                                     f"Memory information field {field}.", labels=["node"])
                family.add_metric([node], value)
            for field, value in parse_numastat(read_text(os.path.join(directory, "numastat"))):
                family = families.get(field)
                if family is None:
                    family = families[field] = counter(f"node_memory_numa_{field}",
                                                       f"Memory information field {field}.", labels=["node"])
                family.add_metric([node], value)
        yield from families.values()
