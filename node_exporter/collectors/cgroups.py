"""node_cgroups_cgroups and node_cgroups_enabled per cgroup v1 controller from /proc/cgroups."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text

HELP = "Current cgroup number of the subsystem."  # Go uses the same HELP for both families


@register
class CgroupsCollector(Collector):
    name = "cgroups"
    enabled_by_default = False

    def update(self):
        cgroups = gauge("node_cgroups_cgroups", HELP, labels=["subsys_name"])
        enabled = gauge("node_cgroups_enabled", HELP, labels=["subsys_name"])
        for line in read_text(self.paths.proc("cgroups")).splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split()
            if len(fields) < 4:
                raise ValueError(f"bad /proc/cgroups line: {line!r}")
            name, count, is_enabled = fields[0], fields[2], fields[3]
            cgroups.add_metric([name], float(int(count)))
            enabled.add_metric([name], float(int(is_enabled)))
        yield from (family for family in (cgroups, enabled) if family.rows)
