"""The bcache collector (node_exporter/collectors/bcache.py)."""

from __future__ import annotations

import os

from node_exporter.collectors.bcache import BcacheCollector, dehumanize
from tests.unit.node.helpers import make, names, samples, write


def test_bcache_sizes_read_back_as_go_reads_the_kernels_pseudo_fractions():
    assert dehumanize("1.1M") == 1150976  # 1 + 1/10.24 MiB: the kernel prints remainder*10/1024
    assert dehumanize("427.5k") == 437748
    assert dehumanize("-427.5k") == -437748
    assert dehumanize("512") == 512


def test_bcache_priority_stats_only_with_the_flag(tmp_path):
    base = "sys/fs/bcache/deaddd54-c735-46d5-868e-f331c5fd7c74"
    for name in ("average_key_size", "btree_cache_size", "cache_available_percent", "congested",
                 "root_usage_percent", "tree_depth", "internal/active_journal_entries", "internal/btree_nodes",
                 "internal/btree_read_average_duration_us", "internal/cache_read_races", "cache0/io_errors",
                 "cache0/metadata_written", "cache0/written"):
        write(tmp_path, f"{base}/{name}", "0\n")
    write(tmp_path, f"{base}/cache0/priority_stats", "Unused:\t\t97%\nMetadata:\t2%\n")
    without = names(make(BcacheCollector, tmp_path).update())
    assert "node_bcache_written_bytes_total" in without
    assert "node_bcache_priority_stats_unused_percent" not in without
    with_flag = samples(make(BcacheCollector, tmp_path, bcache_priority_stats=True).update())
    uuid = os.path.basename(base)
    assert with_flag[("node_bcache_priority_stats_unused_percent", "cache0", uuid)] == 97.0
    assert with_flag[("node_bcache_priority_stats_metadata_percent", "cache0", uuid)] == 2.0
