"""node_zoneinfo_*: per-node, per-zone memory statistics from /proc/zoneinfo.

Parsed as Go's procfs does: the file is cut into blocks at each "Node N, zone Z" header, and every known key found
in a block (including the node-wide "per-node stats" that the kernel prints under a node's first zone) is reported
for that zone; keys a block lacks are not reported.
"""

from __future__ import annotations

import contextlib
import re

from exporter_toolkit.families import Family, counter, gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text

NODE_ZONE = re.compile(r"(\d+), zone\s+(\w+)")
# (key in /proc/zoneinfo, metric, HELP, counter?) in Go's field order.
FIELDS = (
    ("nr_free_pages", "node_zoneinfo_nr_free_pages", "Total number of free pages in the zone", False),
    ("min", "node_zoneinfo_min_pages", "Zone watermark pages_min", False),
    ("low", "node_zoneinfo_low_pages", "Zone watermark pages_low", False),
    ("high", "node_zoneinfo_high_pages", "Zone watermark pages_high", False),
    ("scanned", "node_zoneinfo_scanned_pages", "Pages scanned since last reclaim", False),
    ("spanned", "node_zoneinfo_spanned_pages", "Total pages spanned by the zone, including holes", False),
    ("present", "node_zoneinfo_present_pages", "Physical pages existing within the zone", False),
    ("managed", "node_zoneinfo_managed_pages", "Present pages managed by the buddy system", False),
    ("nr_active_anon", "node_zoneinfo_nr_active_anon_pages", "Number of anonymous pages recently more used", False),
    ("nr_inactive_anon", "node_zoneinfo_nr_inactive_anon_pages", "Number of anonymous pages recently less used",
     False),
    ("nr_isolated_anon", "node_zoneinfo_nr_isolated_anon_pages", "Temporary isolated pages from anon lru", False),
    ("nr_anon_pages", "node_zoneinfo_nr_anon_pages", "Number of anonymous pages currently used by the system",
     False),
    ("nr_anon_transparent_hugepages", "node_zoneinfo_nr_anon_transparent_hugepages",
     "Number of anonymous transparent huge pages currently used by the system", False),
    ("nr_active_file", "node_zoneinfo_nr_active_file_pages", "Number of active pages with file-backing", False),
    ("nr_inactive_file", "node_zoneinfo_nr_inactive_file_pages", "Number of inactive pages with file-backing",
     False),
    ("nr_isolated_file", "node_zoneinfo_nr_isolated_file_pages", "Temporary isolated pages from file lru", False),
    ("nr_file_pages", "node_zoneinfo_nr_file_pages", "Number of file pages", False),
    ("nr_slab_reclaimable", "node_zoneinfo_nr_slab_reclaimable_pages", "Number of reclaimable slab pages", False),
    ("nr_slab_unreclaimable", "node_zoneinfo_nr_slab_unreclaimable_pages", "Number of unreclaimable slab pages",
     False),
    ("nr_mlock_stack", "node_zoneinfo_nr_mlock_stack_pages", "mlock()ed pages found and moved off LRU", False),
    ("nr_kernel_stack", "node_zoneinfo_nr_kernel_stacks", "Number of kernel stacks", False),
    ("nr_mapped", "node_zoneinfo_nr_mapped_pages", "Number of mapped pages", False),
    ("nr_dirty", "node_zoneinfo_nr_dirty_pages", "Number of dirty pages", False),
    ("nr_writeback", "node_zoneinfo_nr_writeback_pages", "Number of writeback pages", False),
    ("nr_unevictable", "node_zoneinfo_nr_unevictable_pages", "Number of unevictable pages", False),
    ("nr_shmem", "node_zoneinfo_nr_shmem_pages", "Number of shmem pages (included tmpfs/GEM pages)", False),
    ("nr_dirtied", "node_zoneinfo_nr_dirtied_total", "Page dirtyings since bootup", True),
    ("nr_written", "node_zoneinfo_nr_written_total", "Page writings since bootup", True),
    ("numa_hit", "node_zoneinfo_numa_hit_total", "Allocated in intended node", True),
    ("numa_miss", "node_zoneinfo_numa_miss_total", "Allocated in non intended node", True),
    ("numa_foreign", "node_zoneinfo_numa_foreign_total", "Was intended here, hit elsewhere", True),
    ("numa_interleave", "node_zoneinfo_numa_interleave_total", "Interleaver preferred this zone", True),
    ("numa_local", "node_zoneinfo_numa_local_total", "Allocation from local node", True),
    ("numa_other", "node_zoneinfo_numa_other_total", "Allocation from other node", True),
)
KEYS = {key: index for index, (key, _, _, _) in enumerate(FIELDS)}
LABELS = ["node", "zone"]


def _int(text: str) -> int | None:
    """Go's value parser: base-prefixed integers accepted; anything else leaves the field unset."""
    try:
        return int(text, 0)
    except ValueError:
        return None


def parse(text: str) -> list[tuple[str, str, dict[str, int], list[int] | None]]:
    """(node, zone, key -> value, protection array) per block."""
    blocks = []
    for block in text.split("\nNode"):
        node = zone = ""
        values: dict[str, int] = {}
        protection = None
        for line in block.split("\n"):
            header = NODE_ZONE.search(line)
            if header:
                node, zone = header.group(1), header.group(2)
                continue
            parts = line.split()
            if len(parts) < 2 or parts[0] == "per-node":
                continue
            if parts[0] in KEYS:
                value = _int(parts[1])
                if value is None:
                    values.pop(parts[0], None)
                else:
                    values[parts[0]] = value
            elif parts[0] == "protection:":
                inner = line.split(":", 1)[1].strip().strip("()")
                with contextlib.suppress(ValueError):  # Go keeps the previous array on a parse error
                    protection = [int(item, 0) for item in inner.split(", ")]
        blocks.append((node, zone, values, protection))
    return blocks


@register
class ZoneinfoCollector(Collector):
    name = "zoneinfo"
    enabled_by_default = False

    def update(self):
        blocks = parse(read_text(self.paths.proc("zoneinfo")))
        families = [(counter if is_counter else gauge)(metric, doc, LABELS) for _, metric, doc, is_counter in FIELDS]
        protection: list[Family] = []
        for node, zone, values, array in blocks:
            for key, value in values.items():
                families[KEYS[key]].add_metric([node, zone], value)
            for index, value in enumerate(array or ()):
                while len(protection) <= index:
                    position = len(protection)
                    # the names come from the data: one family per position, the kernel decides how many
                    protection.append(gauge(f"node_zoneinfo_protection_{position}",
                                            f"Protection array {position}. field", LABELS))
                protection[index].add_metric([node, zone], value)
        yield from (family for family in families if family.rows)
        yield from protection
