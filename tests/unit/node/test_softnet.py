"""The softnet collector (node_exporter/collectors/softnet.py)."""

from __future__ import annotations

from node_exporter.collectors.schedstat import SchedstatCollector
from node_exporter.collectors.softnet import SoftnetCollector
from tests.unit.node.helpers import make, scrape, write


def test_softnet_short_line_fails_only_softnet(tmp_path):
    write(tmp_path, "proc/net/softnet_stat", "0000000a 00000001 00000002\n")
    write(tmp_path, "proc/schedstat", "version 15\n")
    result = scrape({"softnet": make(SoftnetCollector, tmp_path), "schedstat": make(SchedstatCollector, tmp_path)})
    assert result[("node_scrape_collector_success", "softnet")] == 0.0
    assert result[("node_scrape_collector_success", "schedstat")] == 1.0
