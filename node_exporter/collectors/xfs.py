"""node_xfs_*: per-filesystem XFS statistics from /sys/fs/xfs/<device>/stats/stats."""

from __future__ import annotations

import glob
import os

from exporter_toolkit.families import counter
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text

# (line keyword, position, metric, HELP), in the kernel's column order for each line.
FIELDS = (
    ("extent_alloc", 0, "node_xfs_extent_allocation_extents_allocated_total",
     "Number of extents allocated for a filesystem."),
    ("extent_alloc", 1, "node_xfs_extent_allocation_blocks_allocated_total",
     "Number of blocks allocated for a filesystem."),
    ("extent_alloc", 2, "node_xfs_extent_allocation_extents_freed_total", "Number of extents freed for a filesystem."),
    ("extent_alloc", 3, "node_xfs_extent_allocation_blocks_freed_total", "Number of blocks freed for a filesystem."),
    ("abt", 0, "node_xfs_allocation_btree_lookups_total", "Number of allocation B-tree lookups for a filesystem."),
    ("abt", 1, "node_xfs_allocation_btree_compares_total", "Number of allocation B-tree compares for a filesystem."),
    ("abt", 2, "node_xfs_allocation_btree_records_inserted_total",
     "Number of allocation B-tree records inserted for a filesystem."),
    ("abt", 3, "node_xfs_allocation_btree_records_deleted_total",
     "Number of allocation B-tree records deleted for a filesystem."),
    ("blk_map", 0, "node_xfs_block_mapping_reads_total", "Number of block map for read operations for a filesystem."),
    ("blk_map", 1, "node_xfs_block_mapping_writes_total",
     "Number of block map for write operations for a filesystem."),
    ("blk_map", 2, "node_xfs_block_mapping_unmaps_total", "Number of block unmaps (deletes) for a filesystem."),
    ("blk_map", 3, "node_xfs_block_mapping_extent_list_insertions_total",
     "Number of extent list insertions for a filesystem."),
    ("blk_map", 4, "node_xfs_block_mapping_extent_list_deletions_total",
     "Number of extent list deletions for a filesystem."),
    ("blk_map", 5, "node_xfs_block_mapping_extent_list_lookups_total",
     "Number of extent list lookups for a filesystem."),
    ("blk_map", 6, "node_xfs_block_mapping_extent_list_compares_total",
     "Number of extent list compares for a filesystem."),
    ("bmbt", 0, "node_xfs_block_map_btree_lookups_total", "Number of block map B-tree lookups for a filesystem."),
    ("bmbt", 1, "node_xfs_block_map_btree_compares_total", "Number of block map B-tree compares for a filesystem."),
    ("bmbt", 2, "node_xfs_block_map_btree_records_inserted_total",
     "Number of block map B-tree records inserted for a filesystem."),
    ("bmbt", 3, "node_xfs_block_map_btree_records_deleted_total",
     "Number of block map B-tree records deleted for a filesystem."),
    ("dir", 0, "node_xfs_directory_operation_lookup_total",
     "Number of file name directory lookups which miss the operating systems directory name lookup cache."),
    ("dir", 1, "node_xfs_directory_operation_create_total",
     "Number of times a new directory entry was created for a filesystem."),
    ("dir", 2, "node_xfs_directory_operation_remove_total",
     "Number of times an existing directory entry was created for a filesystem."),
    ("dir", 3, "node_xfs_directory_operation_getdents_total",
     "Number of times the directory getdents operation was performed for a filesystem."),
    ("ig", 0, "node_xfs_inode_operation_attempts_total",
     "Number of times the OS looked for an XFS inode in the inode cache."),
    ("ig", 1, "node_xfs_inode_operation_found_total",
     "Number of times the OS looked for and found an XFS inode in the inode cache."),
    ("ig", 2, "node_xfs_inode_operation_recycled_total",
     "Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled."),
    ("ig", 3, "node_xfs_inode_operation_missed_total",
     "Number of times the OS looked for an XFS inode in the cache, but did not find it."),
    ("ig", 4, "node_xfs_inode_operation_duplicates_total",
     "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been "
     "added by another process."),
    ("ig", 5, "node_xfs_inode_operation_reclaims_total",
     "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose."),
    ("ig", 6, "node_xfs_inode_operation_attribute_changes_total",
     "Number of times the OS explicitly changed the attributes of an XFS inode."),
    ("rw", 0, "node_xfs_write_calls_total", "Number of write(2) system calls made to files in a filesystem."),
    ("rw", 1, "node_xfs_read_calls_total", "Number of read(2) system calls made to files in a filesystem."),
    ("vnodes", 0, "node_xfs_vnode_active_total", "Number of vnodes not on free lists for a filesystem."),
    ("vnodes", 1, "node_xfs_vnode_allocate_total", "Number of times vn_alloc called for a filesystem."),
    ("vnodes", 2, "node_xfs_vnode_get_total", "Number of times vn_get called for a filesystem."),
    ("vnodes", 3, "node_xfs_vnode_hold_total", "Number of times vn_hold called for a filesystem."),
    ("vnodes", 4, "node_xfs_vnode_release_total", "Number of times vn_rele called for a filesystem."),
    ("vnodes", 5, "node_xfs_vnode_reclaim_total", "Number of times vn_reclaim called for a filesystem."),
    ("vnodes", 6, "node_xfs_vnode_remove_total", "Number of times vn_remove called for a filesystem."),
)
# How many values each line must have (Go's procfs rejects others; vnodes had 7 columns on old kernels).
WIDTHS = {"extent_alloc": (4,), "abt": (4,), "blk_map": (7,), "bmbt": (4,), "dir": (4,), "ig": (7,), "rw": (2,),
          "vnodes": (7, 8)}


def parse(text: str) -> dict[str, list[int]]:
    lines: dict[str, list[int]] = {}
    for line in text.splitlines():
        keyword, *values = line.split()
        if keyword in WIDTHS:
            if len(values) not in WIDTHS[keyword]:
                raise ValueError(f"incorrect number of values for XFS {keyword} stats: {len(values)}")
            lines[keyword] = [int(value) for value in values]
    return lines


@register
class XfsCollector(Collector):
    name = "xfs"

    def update(self):
        families = [counter(metric, doc, ["device"]) for _, _, metric, doc in FIELDS]
        pattern = os.path.join(glob.escape(self.paths.sys("fs", "xfs")), "*", "stats", "stats")
        for path in sorted(glob.glob(pattern)):
            device = os.path.basename(os.path.dirname(os.path.dirname(path)))
            lines = parse(read_text(path))
            for family, (keyword, position, _, _) in zip(families, FIELDS, strict=True):
                values = lines.get(keyword)
                family.add_metric([device], values[position] if values else 0)
        yield from (family for family in families if family.rows)
