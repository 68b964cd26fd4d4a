"""node_disk_*: I/O counters per block device from /proc/diskstats; from the udev database (--path.udev.data):
node_disk_info, node_disk_filesystem_info, node_disk_device_mapper_info and the node_disk_ata_* properties."""

from __future__ import annotations

import logging
import os

from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, Context, register
from node_exporter.options import device_filter, device_filter_options
from node_exporter.paths import read_text

SECTOR_BYTES = 512.0  # /proc/diskstats counts 512-byte sectors whatever the device's sector size
DEFAULT_DEVICE_EXCLUDE = r"^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$"
MS = 0.001

# (column after the device name, metric, counter?, scale, HELP) in the Go exporter's words.
FIELDS = (
    (0, "node_disk_reads_completed_total", True, 1.0, "The total number of reads completed successfully."),
    (1, "node_disk_reads_merged_total", True, 1.0, "The total number of reads merged."),
    (2, "node_disk_read_bytes_total", True, SECTOR_BYTES, "The total number of bytes read successfully."),
    (3, "node_disk_read_time_seconds_total", True, MS, "The total number of seconds spent by all reads."),
    (4, "node_disk_writes_completed_total", True, 1.0, "The total number of writes completed successfully."),
    (5, "node_disk_writes_merged_total", True, 1.0, "The number of writes merged."),
    (6, "node_disk_written_bytes_total", True, SECTOR_BYTES, "The total number of bytes written successfully."),
    (7, "node_disk_write_time_seconds_total", True, MS, "This is the total number of seconds spent by all writes."),
    (8, "node_disk_io_now", False, 1.0, "The number of I/Os currently in progress."),
    (9, "node_disk_io_time_seconds_total", True, MS, "Total seconds spent doing I/Os."),
    (10, "node_disk_io_time_weighted_seconds_total", True, MS, "The weighted # of seconds spent doing I/Os."),
    (11, "node_disk_discards_completed_total", True, 1.0, "The total number of discards completed successfully."),
    (12, "node_disk_discards_merged_total", True, 1.0, "The total number of discards merged."),
    (13, "node_disk_discarded_sectors_total", True, 1.0, "The total number of sectors discarded successfully."),
    (14, "node_disk_discard_time_seconds_total", True, MS,
     "This is the total number of seconds spent by all discards."),
    (15, "node_disk_flush_requests_total", True, 1.0, "The total number of flush requests completed successfully"),
    (16, "node_disk_flush_requests_time_seconds_total", True, MS,
     "This is the total number of seconds spent by all flush requests."),
)
INFO_LABELS = ["device", "major", "minor", "path", "wwn", "model", "serial", "revision"]
# udev property -> (metric, HELP), reported for ATA disks only (ID_ATA set).
ATA_PROPERTIES = (
    ("ID_ATA_WRITE_CACHE", "node_disk_ata_write_cache", "ATA disk has a write cache."),
    ("ID_ATA_WRITE_CACHE_ENABLED", "node_disk_ata_write_cache_enabled", "ATA disk has its write cache enabled."),
    ("ID_ATA_ROTATION_RATE_RPM", "node_disk_ata_rotation_rate_rpm", "ATA disk rotation rate in RPMs (0 for SSDs)."),
)

log = logging.getLogger(__name__)


def read_udev_properties(path: str) -> dict[str, str]:
    """E:KEY=VALUE lines of a udev database entry (e.g. /run/udev/data/b8:0)."""
    props = {}
    try:
        text = read_text(path)
    except OSError:
        return props
    for line in text.splitlines():
        if line.startswith("E:"):
            key, _, value = line[2:].partition("=")
            props[key] = value
    return props


@register
class DiskstatsCollector(Collector):
    name = "diskstats"
    DEVICE_INCLUDE, DEVICE_EXCLUDE = device_filter_options("diskstats", "diskstats devices", DEFAULT_DEVICE_EXCLUDE)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.ignored = device_filter(ctx.options, self.DEVICE_INCLUDE, self.DEVICE_EXCLUDE)

    def update(self):
        families = [(index, (counter if is_counter else gauge)(name, help_text, labels=["device"]), scale)
                    for index, name, is_counter, scale, help_text in FIELDS]
        info = gauge("node_disk_info", "Info of /sys/block/<block_device>.", labels=INFO_LABELS)
        filesystem = gauge("node_disk_filesystem_info", "Info about disk filesystem.",
                           labels=["device", "type", "usage", "uuid", "version"])
        device_mapper = gauge("node_disk_device_mapper_info", "Info about disk device mapper.",
                              labels=["device", "name", "uuid", "vg_name", "lv_name", "lv_layer"])
        ata = [(prop, gauge(name, help_text, labels=["device"])) for prop, name, help_text in ATA_PROPERTIES]
        for line in read_text(self.paths.proc("diskstats")).splitlines():
            parts = line.split()
            if len(parts) < 14:
                continue
            major, minor, device = parts[0], parts[1], parts[2]
            if self.ignored(device):
                continue
            values = parts[3:]
            udev = read_udev_properties(os.path.join(self.paths.udev_data, f"b{major}:{minor}"))
            # The serial printed on the disk label first, as Go does; the short serial otherwise.
            serial = udev.get("SCSI_IDENT_SERIAL") or udev.get("ID_SERIAL_SHORT", "")
            info.add_metric([device, major, minor, udev.get("ID_PATH", ""), udev.get("ID_WWN", ""),
                             udev.get("ID_MODEL", ""), serial, udev.get("ID_REVISION", "")], 1.0)
            if udev.get("ID_FS_TYPE"):
                filesystem.add_metric([device, udev["ID_FS_TYPE"], udev.get("ID_FS_USAGE", ""),
                                       udev.get("ID_FS_UUID", ""), udev.get("ID_FS_VERSION", "")], 1.0)
            if udev.get("DM_NAME"):
                device_mapper.add_metric([device, udev["DM_NAME"], udev.get("DM_UUID", ""), udev.get("DM_VG_NAME", ""),
                                          udev.get("DM_LV_NAME", ""), udev.get("DM_LV_LAYER", "")], 1.0)
            if udev.get("ID_ATA"):
                for prop, family in ata:
                    try:
                        family.add_metric([device], float(udev[prop]))
                    except (KeyError, ValueError):
                        log.debug("udev ATA attribute missing or not a number", extra={"attribute": prop})
            for index, family, scale in families:
                if index < len(values):
                    family.add_metric([device], float(values[index]) * scale)
        yield info
        for family in (filesystem, device_mapper, *(family for _, family in ata)):
            if family.rows:
                yield family
        for _, family, _ in families:
            if family.rows:
                yield family
