"""node_btrfs_*: btrfs filesystem allocation (per block group type and RAID profile) from /sys/fs/btrfs."""

from __future__ import annotations

import glob
import os

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_int, read_opt_text

BLOCK_GROUP_TYPES = ("data", "metadata", "system")


def allocation_ratio(profile: str, devices: int) -> float:
    """Raw bytes used per byte stored for a RAID profile on this many devices."""
    if profile in ("single", "raid0"):
        return 1.0
    if profile in ("dup", "raid1", "raid10"):
        return 2.0
    if profile == "raid5" and devices > 1:
        return devices / (devices - 1)
    if profile == "raid6" and devices > 2:
        return devices / (devices - 2)
    return 0.0


@register
class BtrfsCollector(Collector):
    name = "btrfs"

    def update(self):
        root = self.paths.sys("fs", "btrfs")
        # Without /sys/fs/btrfs (module not loaded) the scrape is empty and successful, as Go's glob makes it.
        filesystems = sorted(glob.glob(os.path.join(root, "*-*")))
        info = gauge("node_btrfs_info", "Filesystem information", labels=["label", "uuid"])
        global_rsv = gauge("node_btrfs_global_rsv_size_bytes", "Size of global reserve.", labels=["uuid"])
        device_size = gauge("node_btrfs_device_size_bytes", "Size of a device that is part of the filesystem.",
                            labels=["device", "uuid"])
        reserved = gauge("node_btrfs_reserved_bytes", "Amount of space reserved for a data type",
                         labels=["block_group_type", "uuid"])
        size = gauge("node_btrfs_size_bytes", "Amount of space allocated for a layout/data type",
                     labels=["block_group_type", "mode", "uuid"])
        used = gauge("node_btrfs_used_bytes", "Amount of used space by a layout/data type",
                     labels=["block_group_type", "mode", "uuid"])
        ratio = gauge("node_btrfs_allocation_ratio", "Data allocation ratio for a layout/data type",
                      labels=["block_group_type", "mode", "uuid"])
        for base in filesystems:
            uuid = os.path.basename(base)
            if not os.path.isdir(os.path.join(base, "allocation")):
                continue
            info.add_metric([read_opt_text(os.path.join(base, "label")) or "", uuid], 1.0)
            global_rsv.add_metric([uuid], float(read_int(os.path.join(base, "allocation", "global_rsv_size"))))
            devices_dir = os.path.join(base, "devices")
            devices = sorted(os.listdir(devices_dir)) if os.path.isdir(devices_dir) else []
            for device in devices:
                sectors = read_int(os.path.join(devices_dir, device, "size"))
                device_size.add_metric([device, uuid], float(sectors * 512))
            for group in BLOCK_GROUP_TYPES:
                group_dir = os.path.join(base, "allocation", group)
                if not os.path.isdir(group_dir):
                    continue
                reserved.add_metric([group, uuid], float(read_int(os.path.join(group_dir, "bytes_reserved"))))
                for profile in sorted(os.listdir(group_dir)):
                    profile_dir = os.path.join(group_dir, profile)
                    if not os.path.isdir(profile_dir):
                        continue
                    labels = [group, profile, uuid]
                    size.add_metric(labels, float(read_int(os.path.join(profile_dir, "total_bytes"))))
                    used.add_metric(labels, float(read_int(os.path.join(profile_dir, "used_bytes"))))
                    ratio.add_metric(labels, allocation_ratio(profile, len(devices)))
        yield from (family for family in (info, global_rsv, device_size, reserved, size, used, ratio)
                    if family.rows)
