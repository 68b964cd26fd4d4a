"""node_bcache_*: bcache cache sets, their backing and cache devices, from /sys/fs/bcache."""

from __future__ import annotations

import glob
import os

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import Family, counter, gauge
from node_exporter.collector import Collector, Context, register
from node_exporter.paths import read_text

MULTIPLIERS = {"k": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50, "E": 2**60, "Z": 2**70, "Y": 2**80}


def dehumanize(text: str) -> int:
    """bcache's human sizes ('20.4G', '1.1M') back to bytes the way Go's parser reads them.

    The kernel prints the fraction as remainder*10/1024, so one fractional digit is worth 1/10.24 of the unit.
    """
    text = text.strip()
    if not text:
        raise ValueError("empty bcache value")
    if text[-1] in MULTIPLIERS:
        sign = -1 if text.startswith("-") else 1  # the controller terms can be negative
        whole, _, fraction = text[:-1].lstrip("-").partition(".")
        mantissa = float(whole) + (float(fraction) / 10.24 if fraction else 0.0)
        return sign * int(mantissa * MULTIPLIERS[text[-1]])
    return int(float(text))


def _value(path: str) -> float:
    return float(dehumanize(read_text(path)))


def parse_writeback_rate_debug(text: str) -> dict[str, int]:
    """'rate: 1.1M/sec' ... -> {'rate': 1150976, ...} for the fields node_exporter exports."""
    values = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip().removesuffix("/sec")
        if key in ("rate", "dirty", "target", "proportional", "integral", "change"):
            values[key] = dehumanize(value)
    return values


def parse_priority_stats(text: str) -> tuple[float, float]:
    """(unused %, metadata %) from a cache device's priority_stats."""
    unused = metadata = 0.0
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Unused":
            unused = float(value.strip().rstrip("%"))
        elif key.strip() == "Metadata":
            metadata = float(value.strip().rstrip("%"))
    return unused, metadata


@register
class BcacheCollector(Collector):
    name = "bcache"
    PRIORITY_STATS = Option("--collector.bcache.priorityStats", "bcache_priority_stats", False,
                            help="Expose expensive priority stats.", is_flag=True)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.priority_stats = bool(self.PRIORITY_STATS.read(ctx.options))

    def update(self):
        # No /sys/fs/bcache (module not loaded) is an empty, successful scrape, as Go's glob makes it.
        root = self.paths.sys("fs", "bcache")
        families: dict[str, Family] = {}

        def add(factory, name: str, help_text: str, labels: list[str], values: list[str], value: float) -> None:
            family = families.get(name)
            if family is None:
                family = families[name] = factory(name, help_text, labels=labels)
            family.add_metric(values, value)

        for set_dir in sorted(glob.glob(os.path.join(root, "*-*-*-*-*"))):
            uuid = os.path.basename(set_dir)
            internal = os.path.join(set_dir, "internal")
            per_set = ["uuid"], [uuid]
            add(gauge, "node_bcache_average_key_size_sectors", "Average data per key in the btree (sectors).",
                *per_set, _value(os.path.join(set_dir, "average_key_size")))
            add(gauge, "node_bcache_btree_cache_size_bytes", "Amount of memory currently used by the btree cache.",
                *per_set, _value(os.path.join(set_dir, "btree_cache_size")))
            add(gauge, "node_bcache_cache_available_percent", "Percentage of cache device without dirty data, "
                "usable for writeback (may contain clean cached data).", *per_set,
                _value(os.path.join(set_dir, "cache_available_percent")))
            add(gauge, "node_bcache_congested", "Congestion.", *per_set, _value(os.path.join(set_dir, "congested")))
            add(gauge, "node_bcache_root_usage_percent",
                "Percentage of the root btree node in use (tree depth increases if too high).", *per_set,
                _value(os.path.join(set_dir, "root_usage_percent")))
            add(gauge, "node_bcache_tree_depth", "Depth of the btree.", *per_set,
                _value(os.path.join(set_dir, "tree_depth")))
            add(gauge, "node_bcache_active_journal_entries", "Number of journal entries that are newer than the index.",
                *per_set, _value(os.path.join(internal, "active_journal_entries")))
            add(gauge, "node_bcache_btree_nodes", "Total nodes in the btree.", *per_set,
                _value(os.path.join(internal, "btree_nodes")))
            # Go scales this microsecond file by 1e-9; kept for identical values.
            add(gauge, "node_bcache_btree_read_average_duration_seconds", "Average btree read duration.", *per_set,
                _value(os.path.join(internal, "btree_read_average_duration_us")) * 1e-9)
            add(counter, "node_bcache_cache_read_races_total", "Counts instances where while data was being read "
                "from the cache, the bucket was reused and invalidated - i.e. where the pointer was stale after the "
                "read completed.", *per_set, _value(os.path.join(internal, "cache_read_races")))
            for bdev_dir in sorted(glob.glob(os.path.join(set_dir, "bdev[0-9]*"))):
                self._backing_device(add, uuid, bdev_dir)
            for cache_dir in sorted(glob.glob(os.path.join(set_dir, "cache[0-9]*"))):
                self._cache_device(add, uuid, cache_dir)
        yield from families.values()

    @staticmethod
    def _backing_device(add, uuid: str, directory: str) -> None:
        labels, values = ["backing_device", "uuid"], [os.path.basename(directory), uuid]
        add(gauge, "node_bcache_dirty_data_bytes", "Amount of dirty data for this backing device in the cache.",
            labels, values, _value(os.path.join(directory, "dirty_data")))
        debug = parse_writeback_rate_debug(read_text(os.path.join(directory, "writeback_rate_debug")))
        add(gauge, "node_bcache_dirty_target_bytes",
            "Current dirty data target threshold for this backing device in bytes.", labels, values,
            float(debug.get("target", 0)))
        add(gauge, "node_bcache_writeback_rate", "Current writeback rate for this backing device in bytes.", labels,
            values, float(debug.get("rate", 0)))
        add(gauge, "node_bcache_writeback_rate_proportional_term",
            "Current result of proportional controller, part of writeback rate", labels, values,
            float(debug.get("proportional", 0)))
        add(gauge, "node_bcache_writeback_rate_integral_term",
            "Current result of integral controller, part of writeback rate", labels, values,
            float(debug.get("integral", 0)))
        add(gauge, "node_bcache_writeback_change", "Last writeback rate change step for this backing device.", labels,
            values, float(debug.get("change", 0)))
        stats = os.path.join(directory, "stats_total")
        add(counter, "node_bcache_bypassed_bytes_total",
            "Amount of IO (both reads and writes) that has bypassed the cache.", labels, values,
            _value(os.path.join(stats, "bypassed")))
        add(counter, "node_bcache_cache_hits_total", "Hits counted per individual IO as bcache sees them.", labels,
            values, _value(os.path.join(stats, "cache_hits")))
        add(counter, "node_bcache_cache_misses_total", "Misses counted per individual IO as bcache sees them.", labels,
            values, _value(os.path.join(stats, "cache_misses")))
        add(counter, "node_bcache_cache_bypass_hits_total", "Hits for IO intended to skip the cache.", labels, values,
            _value(os.path.join(stats, "cache_bypass_hits")))
        add(counter, "node_bcache_cache_bypass_misses_total", "Misses for IO intended to skip the cache.", labels,
            values, _value(os.path.join(stats, "cache_bypass_misses")))
        add(counter, "node_bcache_cache_miss_collisions_total",
            "Instances where data insertion from cache miss raced with write (data already present).", labels, values,
            _value(os.path.join(stats, "cache_miss_collisions")))
        add(counter, "node_bcache_cache_readaheads_total", "Count of times readahead occurred.", labels, values,
            _value(os.path.join(stats, "cache_readaheads")))

    def _cache_device(self, add, uuid: str, directory: str) -> None:
        labels, values = ["cache_device", "uuid"], [os.path.basename(directory), uuid]
        add(gauge, "node_bcache_io_errors", "Number of errors that have occurred, decayed by io_error_halflife.",
            labels, values, _value(os.path.join(directory, "io_errors")))
        add(counter, "node_bcache_metadata_written_bytes_total",
            "Sum of all non data writes (btree writes and all other metadata).", labels, values,
            _value(os.path.join(directory, "metadata_written")))
        add(counter, "node_bcache_written_bytes_total", "Sum of all data that has been written to the cache.", labels,
            values, _value(os.path.join(directory, "written")))
        if self.priority_stats:
            unused, metadata = parse_priority_stats(read_text(os.path.join(directory, "priority_stats")))
            add(gauge, "node_bcache_priority_stats_unused_percent",
                "The percentage of the cache that doesn't contain any data.", labels, values, unused)
            add(gauge, "node_bcache_priority_stats_metadata_percent", "Bcache's metadata overhead.", labels, values,
                metadata)
