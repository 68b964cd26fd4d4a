"""node_lnstat_*_total: per-CPU network cache statistics from /proc/net/stat/* (what `lnstat` shows)."""

from __future__ import annotations

import os

from exporter_toolkit.families import Family, counter
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text


@register
class LnstatCollector(Collector):
    name = "lnstat"
    enabled_by_default = False

    def update(self):
        directory = self.paths.proc("net", "stat")
        families: dict[str, Family] = {}
        for subsystem in sorted(os.listdir(directory)):
            lines = read_text(os.path.join(directory, subsystem)).splitlines()
            if not lines:
                continue
            headers = lines[0].split()
            for cpu, line in enumerate(row for row in lines[1:] if row.strip()):
                values = line.split()
                if len(values) != len(headers):
                    raise ValueError(f"{subsystem}: {len(values)} values for {len(headers)} fields")
                for header, value in zip(headers, values, strict=True):
                    family = families.get(header)
                    if family is None:  # the names come from the data: the files' header lines
                        family = families[header] = counter(f"node_lnstat_{header}_total",
                                                            "linux network cache stats", labels=["subsystem", "cpu"])
                    family.add_metric([subsystem, str(cpu)], float(int(value, 16)))
        yield from families.values()
