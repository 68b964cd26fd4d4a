"""node_bonding_slaves and node_bonding_active: members of each bonding interface and how many are up."""

from __future__ import annotations

import os

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_text


@register
class BondingCollector(Collector):
    name = "bonding"

    @staticmethod
    def _mii_status(net: str, master: str, slave: str) -> str:
        """The slave's MII status; newer kernels name the link lower_X, older ones slave_X."""
        try:
            return read_text(os.path.join(net, master, f"lower_{slave}", "bonding_slave", "mii_status")).strip()
        except FileNotFoundError:
            return read_text(os.path.join(net, master, f"slave_{slave}", "bonding_slave", "mii_status")).strip()

    def update(self):
        try:
            yield from self._collect(self.paths.sys("class", "net"))
        except FileNotFoundError as exc:
            # Go turns any missing file here (no bonding module, a vanished slave) into "no data".
            raise NoDataError(f"bonding statistics not found: {exc.filename}") from exc

    def _collect(self, net: str):
        masters = read_text(os.path.join(net, "bonding_masters")).split()
        slaves_family = gauge("node_bonding_slaves", "Number of configured slaves per bonding interface.",
                              labels=["master"])
        active_family = gauge("node_bonding_active", "Number of active slaves per bonding interface.",
                              labels=["master"])
        for master in masters:
            slaves = read_text(os.path.join(net, master, "bonding", "slaves")).split()
            active = 0
            for slave in slaves:
                if self._mii_status(net, master, slave) == "up":
                    active += 1
            slaves_family.add_metric([master], float(len(slaves)))
            active_family.add_metric([master], float(active))
        yield from (family for family in (slaves_family, active_family) if family.rows)
