"""The zoneinfo collector (node_exporter/collectors/zoneinfo.py)."""

from __future__ import annotations

from node_exporter.collectors.zoneinfo import ZoneinfoCollector
from tests.unit.node.helpers import make, samples, write


def test_zoneinfo_protection_arrays_and_unparsable_values(tmp_path):
    write(tmp_path, "proc/zoneinfo", "Node 0, zone      DMA\n  pages free     5\n        min      x\n"
                                     "        high     9\n        protection: (0, 10, 20)\n"
                                     "Node 1, zone   Normal\n        high     4\n")
    got = samples(make(ZoneinfoCollector, tmp_path).update())
    assert got[("node_zoneinfo_high_pages", "0", "DMA")] == 9
    assert got[("node_zoneinfo_protection_2", "0", "DMA")] == 20
    assert ("node_zoneinfo_min_pages", "0", "DMA") not in got  # "x" leaves the field unset, as in Go
    assert ("node_zoneinfo_protection_0", "1", "Normal") not in got
