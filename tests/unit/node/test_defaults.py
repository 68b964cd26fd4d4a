"""Which collectors are on by default, as in Go node_exporter 1.5."""

from __future__ import annotations

from node_exporter.cli import enabled_collectors


def test_go_defaults():
    enabled = set(enabled_collectors({}))
    assert {"arp", "bcache", "bonding", "btrfs", "cpufreq", "dmi", "edac", "fibrechannel", "hwmon", "infiniband",
            "ipvs", "mdadm"} <= enabled
    assert not {"buddyinfo", "cgroups", "drbd", "interrupts", "ksmd", "lnstat", "meminfo_numa"} & enabled
    assert {"nfs", "nfsd", "nvme", "powersupplyclass", "rapl", "schedstat", "selinux", "softnet", "tapestats",
            "thermal_zone", "udp_queues", "xfs", "zfs"} <= enabled
    assert not {"mountstats", "processes", "qdisc", "slabinfo", "sysctl", "wifi", "zoneinfo"} & enabled
