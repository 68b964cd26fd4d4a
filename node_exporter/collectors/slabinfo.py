"""node_slabinfo_*: kernel slab allocator caches from /proc/slabinfo (readable by root only)."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text


@register
class SlabinfoCollector(Collector):
    name = "slabinfo"
    enabled_by_default = False

    def update(self):
        lines = read_text(self.paths.proc("slabinfo")).splitlines()
        if not lines or not lines[0].startswith("slabinfo - version: 2"):
            raise ValueError(f"unsupported slabinfo header {lines[0] if lines else ''!r}")
        active = gauge("node_slabinfo_active_objects",
                       "The number of objects that are currently active (i.e., in use).", ["slab"])
        objects = gauge("node_slabinfo_objects",
                        "The total number of allocated objects (i.e., objects that are both in use and not in use).",
                        ["slab"])
        size = gauge("node_slabinfo_object_size_bytes", "The size of objects in this slab, in bytes.", ["slab"])
        per_slab = gauge("node_slabinfo_objects_per_slab", "The number of objects stored in each slab.", ["slab"])
        pages = gauge("node_slabinfo_pages_per_slab", "The number of pages allocated for each slab.", ["slab"])
        for line in lines[1:]:
            if line.startswith("#"):
                continue
            fields = line.split()
            if len(fields) < 6:
                raise ValueError(f"short slabinfo line {line!r}")
            name = fields[0]
            active.add_metric([name], int(fields[1]))
            objects.add_metric([name], int(fields[2]))
            size.add_metric([name], int(fields[3]))
            per_slab.add_metric([name], int(fields[4]))
            pages.add_metric([name], int(fields[5]))
        yield from (family for family in (active, objects, size, per_slab, pages) if family.rows)
