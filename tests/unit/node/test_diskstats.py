"""The diskstats collector (node_exporter/collectors/diskstats.py)."""

from __future__ import annotations

from node_exporter.collectors.diskstats import DiskstatsCollector
from tests.unit.node.helpers import make, samples, write


def test_disk_udev_families_follow_the_udev_database(tmp_path):
    write(tmp_path, "proc/diskstats", "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n"
                                      " 252       0 dm-0 1 2 3 4 5 6 7 8 9 10 11\n")
    write(tmp_path, "udev/b8:0", "E:ID_ATA=1\nE:ID_ATA_ROTATION_RATE_RPM=0\nE:SCSI_IDENT_SERIAL=LABEL1\n"
                                 "E:ID_SERIAL_SHORT=SHORT1\n")
    write(tmp_path, "udev/b252:0", "E:DM_NAME=vg-root\nE:DM_UUID=LVM-x\nE:DM_VG_NAME=vg\nE:DM_LV_NAME=root\n"
                                   "E:ID_FS_TYPE=ext4\nE:ID_FS_USAGE=filesystem\n")
    result = samples(make(DiskstatsCollector, tmp_path).update())
    assert result[("node_disk_ata_rotation_rate_rpm", "sda")] == 0.0
    assert not any(key[0] == "node_disk_ata_write_cache" for key in result)  # property absent: no sample
    assert ("node_disk_info", "sda", "8", "0", "", "", "", "LABEL1", "") in result  # label serial wins
    assert ("node_disk_device_mapper_info", "dm-0", "vg-root", "LVM-x", "vg", "root", "") in result
    assert ("node_disk_filesystem_info", "dm-0", "ext4", "filesystem", "", "") in result
    assert not any(key[:2] == ("node_disk_filesystem_info", "sda") for key in result)
