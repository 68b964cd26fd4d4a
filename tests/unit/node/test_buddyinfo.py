"""The buddyinfo collector (node_exporter/collectors/buddyinfo.py)."""

from __future__ import annotations

from node_exporter.collectors.buddyinfo import BuddyinfoCollector
from node_exporter.collectors.cgroups import CgroupsCollector
from tests.unit.node.helpers import make, scrape, write


def test_malformed_buddyinfo_fails_only_buddyinfo(tmp_path):
    write(tmp_path, "proc/buddyinfo", "Node 0, zone DMA 1 2 3\nNode 0, zone Normal 1 2\n")
    write(tmp_path, "proc/cgroups", "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t3\t172\t1\n")
    result = scrape({"buddyinfo": make(BuddyinfoCollector, tmp_path), "cgroups": make(CgroupsCollector, tmp_path)})
    assert result[("node_scrape_collector_success", "buddyinfo")] == 0.0
    assert result[("node_scrape_collector_success", "cgroups")] == 1.0
    assert result[("node_cgroups_cgroups", "cpu")] == 172.0
    assert not any(key[0] == "node_buddyinfo_blocks" for key in result)
