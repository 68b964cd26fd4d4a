"""The btrfs collector (node_exporter/collectors/btrfs.py)."""

from __future__ import annotations

from node_exporter.collectors.bcache import BcacheCollector
from node_exporter.collectors.btrfs import BtrfsCollector, allocation_ratio
from tests.unit.node.helpers import make, scrape


def test_btrfs_absent_is_an_empty_success_and_raid_ratios_depend_on_device_count(tmp_path):
    result = scrape({"btrfs": make(BtrfsCollector, tmp_path), "bcache": make(BcacheCollector, tmp_path)})
    # Go globs /sys/fs/{btrfs,bcache}/*-*: a host without the modules is a successful, empty scrape.
    assert result[("node_scrape_collector_success", "btrfs")] == 1.0
    assert result[("node_scrape_collector_success", "bcache")] == 1.0
    assert {key[0] for key in result} == {"node_scrape_collector_success", "node_scrape_collector_duration_seconds"}
    assert allocation_ratio("raid5", 3) == 1.5
    assert allocation_ratio("raid6", 6) == 1.5
    assert allocation_ratio("dup", 1) == 2.0
    assert allocation_ratio("raid1c3", 3) == 0.0  # unknown to Go 1.5: reported as 0
