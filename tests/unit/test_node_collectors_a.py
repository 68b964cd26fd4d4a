"""Node collectors part A: what Go's end-to-end fixture cannot show. Hosts without the hardware (NoDataError or
nothing, as Go), malformed kernel files failing only their collector, and flags changing the output."""

from __future__ import annotations

import os
import re

import pytest

from exporter_toolkit.exposition import render_text
from node_exporter.collector import NoDataError
from node_exporter.collectors.arp import ArpCollector
from node_exporter.collectors.bcache import BcacheCollector, dehumanize
from node_exporter.collectors.bonding import BondingCollector
from node_exporter.collectors.btrfs import BtrfsCollector, allocation_ratio
from node_exporter.collectors.buddyinfo import BuddyinfoCollector
from node_exporter.collectors.cgroups import CgroupsCollector
from node_exporter.collectors.cpu import CPUCollector, parse_cpu_list
from node_exporter.collectors.cpufreq import CpufreqCollector
from node_exporter.collectors.diskstats import DiskstatsCollector
from node_exporter.collectors.dmi import DmiCollector
from node_exporter.collectors.drbd import DrbdCollector
from node_exporter.collectors.edac import EdacCollector
from node_exporter.collectors.fibrechannel import FibrechannelCollector
from node_exporter.collectors.hwmon import HwmonCollector
from node_exporter.collectors.infiniband import InfinibandCollector
from node_exporter.collectors.interrupts import InterruptsCollector
from node_exporter.collectors.ipvs import IpvsCollector, parse_backend_labels
from node_exporter.collectors.ksmd import KsmdCollector
from node_exporter.collectors.lnstat import LnstatCollector
from node_exporter.collectors.mdadm import MdadmCollector
from node_exporter.collectors.meminfo_numa import MeminfoNumaCollector
from node_exporter.collectors.pressure import PressureCollector
from node_exporter.collectors.stat import StatCollector
from node_exporter.paths import go_valid_utf8, read_opt_text
from tests.unit.node_helpers import make, names, run_exporter, samples, scrape, write

# arp -----------------------------------------------------------------------------------------------------------

ARP = ("IP address       HW type     Flags       HW address            Mask     Device\n"
       "10.0.0.1    0x1  0x2  aa:bb:cc:dd:ee:01  *  eth0\n"
       "10.0.0.2    0x1  0x2  aa:bb:cc:dd:ee:02  *  eth0\n"
       "10.0.0.3    0x1  0x2  aa:bb:cc:dd:ee:03  *  wlan0\n")


def test_arp_counts_every_device_unless_a_filter_flag_is_given(tmp_path):
    write(tmp_path, "proc/net/arp", ARP)
    everything = samples(make(ArpCollector, tmp_path).update())
    assert everything == {("node_arp_entries", "eth0"): 2.0, ("node_arp_entries", "wlan0"): 1.0}
    included = samples(make(ArpCollector, tmp_path, arp_device_include=re.compile("^wlan")).update())
    assert included == {("node_arp_entries", "wlan0"): 1.0}


# bcache --------------------------------------------------------------------------------------------------------

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


# bonding -------------------------------------------------------------------------------------------------------

def test_bonding_absent_is_no_data_and_newer_kernels_lower_links_count(tmp_path):
    with pytest.raises(NoDataError):
        list(make(BondingCollector, tmp_path).update())
    write(tmp_path, "sys/class/net/bonding_masters", "bond0\n")
    write(tmp_path, "sys/class/net/bond0/bonding/slaves", "eth0 eth1\n")
    write(tmp_path, "sys/class/net/bond0/lower_eth0/bonding_slave/mii_status", "up\n")
    write(tmp_path, "sys/class/net/bond0/lower_eth1/bonding_slave/mii_status", "down\n")
    assert samples(make(BondingCollector, tmp_path).update()) == {
        ("node_bonding_slaves", "bond0"): 2.0, ("node_bonding_active", "bond0"): 1.0}
    write(tmp_path, "sys/class/net/bond0/bonding/slaves", "eth0 eth1 eth2\n")  # eth2 has no status file
    with pytest.raises(NoDataError):
        list(make(BondingCollector, tmp_path).update())


# btrfs ---------------------------------------------------------------------------------------------------------

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


# buddyinfo / cgroups: a malformed file fails only its own collector ----------------------------------------------

def test_malformed_buddyinfo_fails_only_buddyinfo(tmp_path):
    write(tmp_path, "proc/buddyinfo", "Node 0, zone DMA 1 2 3\nNode 0, zone Normal 1 2\n")
    write(tmp_path, "proc/cgroups", "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t3\t172\t1\n")
    result = scrape({"buddyinfo": make(BuddyinfoCollector, tmp_path), "cgroups": make(CgroupsCollector, tmp_path)})
    assert result[("node_scrape_collector_success", "buddyinfo")] == 0.0
    assert result[("node_scrape_collector_success", "cgroups")] == 1.0
    assert result[("node_cgroups_cgroups", "cpu")] == 172.0
    assert not any(key[0] == "node_buddyinfo_blocks" for key in result)


def test_malformed_cgroups_line_fails_cgroups(tmp_path):
    write(tmp_path, "proc/cgroups", "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t3\t172\n")
    with pytest.raises(ValueError):
        list(make(CgroupsCollector, tmp_path).update())


# cpu (owned options) and cpufreq -------------------------------------------------------------------------------

CPUINFO = ("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 33\n"
           "model name\t: AMD Ryzen\nstepping\t: 0\nmicrocode\t: 0xa201016\ncache size\t: 512 KB\n"
           "physical id\t: 0\ncore id\t\t: 0\nflags\t\t: fpu sse avx avx2 aes\n"
           "bugs\t\t: sysret_ss_attrs spectre_v1\n\n")


def test_cpu_info_only_with_the_flag_and_flag_filters_apply(tmp_path):
    write(tmp_path, "proc/stat", "cpu  1 0 0 1 0 0 0 0 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\n")
    write(tmp_path, "proc/cpuinfo", CPUINFO)
    plain = names(make(CPUCollector, tmp_path).update())
    assert "node_cpu_info" not in plain and "node_cpu_flag_info" not in plain
    # A filter alone turns --collector.cpu.info on, as Go does.
    result = samples(make(CPUCollector, tmp_path, cpu_info_flags_include=re.compile("^avx")).update())
    assert {key[1] for key in result if key[0] == "node_cpu_flag_info"} == {"avx", "avx2"}
    assert ("node_cpu_info", "0", "0", "0", "AuthenticAMD", "25", "33", "AMD Ryzen", "0xa201016", "0",
            "512 KB") in result
    assert not any(key[0] == "node_cpu_bug_info" for key in result)


def test_cpu_isolated_list_and_missing_file(tmp_path):
    assert parse_cpu_list("0-2,7\n") == [0, 1, 2, 7]
    write(tmp_path, "proc/stat", "cpu  1 0 0 1 0 0 0 0 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\n")
    assert "node_cpu_isolated" not in names(make(CPUCollector, tmp_path).update())


def test_cpufreq_reports_cpuinfo_limits_and_nothing_without_cpufreq(tmp_path):
    write(tmp_path, "sys/devices/system/cpu/cpu0/online", "1\n")
    assert list(make(CpufreqCollector, tmp_path).update()) == []
    write(tmp_path, "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "3600000\n")
    write(tmp_path, "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_min_freq", "400000\n")
    assert samples(make(CpufreqCollector, tmp_path).update()) == {
        ("node_cpu_frequency_max_hertz", "0"): 3.6e9, ("node_cpu_frequency_min_hertz", "0"): 4e8}


# stat softirq (owned option) and pressure (owned) ---------------------------------------------------------------

def test_stat_softirqs_only_with_the_flag(tmp_path):
    write(tmp_path, "proc/stat", "intr 10\nctxt 5\nbtime 100\nprocesses 7\nprocs_running 1\nprocs_blocked 0\n"
                                 "softirq 30 1 2 3 4 5 6 7 8 9 10\n")
    assert "node_softirqs_total" not in names(make(StatCollector, tmp_path).update())
    result = samples(make(StatCollector, tmp_path, stat_softirq=True).update())
    assert result[("node_softirqs_total", "hi")] == 1.0
    assert result[("node_softirqs_total", "rcu")] == 10.0
    assert not any(key == ("node_softirqs_total", "total") for key in result)


def test_pressure_value_is_gos_float(tmp_path):
    for resource in ("cpu", "io", "memory"):
        write(tmp_path, f"proc/pressure/{resource}",
              "some avg10=0.00 avg60=0.00 avg300=0.00 total=14036781\n")
    result = samples(make(PressureCollector, tmp_path).update())
    value = result[("node_pressure_cpu_waiting_seconds_total",)]
    assert value == 14036781 / 1000.0 / 1000.0 != 14036781 / 1e6
    assert b"node_pressure_cpu_waiting_seconds_total 14.036781000000001" in render_text(
        make(PressureCollector, tmp_path).update())


# diskstats udev (owned) ----------------------------------------------------------------------------------------

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


# dmi -----------------------------------------------------------------------------------------------------------

def test_dmi_absent_is_no_data_and_values_are_made_valid_utf8_as_go_does(tmp_path):
    with pytest.raises(NoDataError):
        list(make(DmiCollector, tmp_path).update())
    write(tmp_path, "sys/class/dmi/id/product_version", b"\xc0\x1c[\x87\x87\n")
    write(tmp_path, "sys/class/dmi/id/sys_vendor", b"Acme \n")
    family, = make(DmiCollector, tmp_path).update()
    assert family.label_names == ("product_version", "system_vendor")  # only the files that exist
    assert family.rows == [(["\ufffd\x1c[\ufffd", "Acme"], 1.0)]  # one U+FFFD per run, \x1c kept
    assert go_valid_utf8(b"ok\xff\xfe!") == "ok\ufffd!"
    assert read_opt_text(str(tmp_path / "missing")) is None


# drbd ----------------------------------------------------------------------------------------------------------

def test_drbd_absent_is_no_data_and_peer_states_are_separate(tmp_path):
    with pytest.raises(NoDataError):
        list(make(DrbdCollector, tmp_path).update())
    write(tmp_path, "proc/drbd", "version: 8.4.3\n 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown\n"
                                 "    ns:2 nr:3 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n")
    result = samples(make(DrbdCollector, tmp_path).update())
    assert result[("node_drbd_connected", "drbd0")] == 0.0
    assert result[("node_drbd_node_role_is_primary", "drbd0", "local")] == 1.0
    assert result[("node_drbd_node_role_is_primary", "drbd0", "remote")] == 0.0
    assert result[("node_drbd_network_sent_bytes_total", "drbd0")] == 2048.0
    assert result[("node_drbd_network_received_bytes_total", "drbd0")] == 3.0  # Go does not scale 'nr'


# edac / fibrechannel / infiniband / hwmon: hosts without the hardware ------------------------------------------

def test_edac_without_controllers_reports_nothing(tmp_path):
    (tmp_path / "sys/devices/system/edac/mc").mkdir(parents=True)
    assert list(make(EdacCollector, tmp_path).update()) == []


def test_fibrechannel_skips_unavailable_counters_and_absent_class_is_no_data(tmp_path):
    with pytest.raises(NoDataError):
        list(make(FibrechannelCollector, tmp_path).update())
    write(tmp_path, "sys/class/fc_host/host1/port_name", "0x10\n")
    write(tmp_path, "sys/class/fc_host/host1/statistics/dumped_frames", "0xffffffffffffffff\n")
    write(tmp_path, "sys/class/fc_host/host1/statistics/error_frames", "0x2\n")
    result = samples(make(FibrechannelCollector, tmp_path).update())
    assert result[("node_fibrechannel_error_frames_total", "host1")] == 2.0
    assert not any(key[0] == "node_fibrechannel_dumped_frames_total" for key in result)


def test_infiniband_absent_is_no_data_and_bad_rate_fails(tmp_path):
    with pytest.raises(NoDataError):
        list(make(InfinibandCollector, tmp_path).update())
    write(tmp_path, "sys/class/infiniband/mlx5_0/ports/1/rate", "fast\n")
    with pytest.raises(ValueError):
        list(make(InfinibandCollector, tmp_path).update())


def test_hwmon_units_and_absent_class(tmp_path):
    with pytest.raises(NoDataError):
        list(make(HwmonCollector, tmp_path).update())
    write(tmp_path, "sys/class/hwmon/hwmon0/name", "acpitz\n")
    write(tmp_path, "sys/class/hwmon/hwmon0/power1_input", "2500000\n")
    write(tmp_path, "sys/class/hwmon/hwmon0/curr1_input", "1500\n")
    write(tmp_path, "sys/class/hwmon/hwmon0/temp1_input", "garbage\n")  # unparsable: skipped, not fatal
    result = samples(make(HwmonCollector, tmp_path).update())
    assert result[("node_hwmon_power_watt", "acpitz", "power1")] == 2.5
    assert result[("node_hwmon_curr_amps", "acpitz", "curr1")] == 1.5
    assert result[("node_hwmon_chip_names", "acpitz", "acpitz")] == 1.0
    assert not any(key[0] == "node_hwmon_temp_celsius" for key in result)


# interrupts / lnstat / ksmd / mdadm / meminfo_numa -------------------------------------------------------------

def test_interrupts_single_count_lines_are_skipped(tmp_path):
    write(tmp_path, "proc/interrupts", "      CPU0  CPU1\n 0:  5  6  IO-APIC  2-edge  timer\nERR:  3\n")
    assert samples(make(InterruptsCollector, tmp_path).update()) == {
        ("node_interrupts_total", "0", "0", "IO-APIC", "2-edge timer"): 5.0,
        ("node_interrupts_total", "1", "0", "IO-APIC", "2-edge timer"): 6.0}


def test_lnstat_row_width_mismatch_fails(tmp_path):
    write(tmp_path, "proc/net/stat/arp_cache", "entries allocs\n00000001 00000002 00000003\n")
    with pytest.raises(ValueError):
        list(make(LnstatCollector, tmp_path).update())


def test_ksmd_missing_file_fails(tmp_path):
    write(tmp_path, "sys/kernel/mm/ksm/run", "1\n")
    with pytest.raises(FileNotFoundError):
        list(make(KsmdCollector, tmp_path).update())


def test_mdadm_absent_is_no_data_and_empty_mdstat_reports_nothing(tmp_path):
    with pytest.raises(NoDataError):
        list(make(MdadmCollector, tmp_path).update())
    write(tmp_path, "proc/mdstat", "Personalities : \nunused devices: <none>\n")
    assert list(make(MdadmCollector, tmp_path).update()) == []


def test_meminfo_numa_without_nodes_is_an_empty_success_and_bad_units_fail(tmp_path):
    (tmp_path / "sys/devices/system/node").mkdir(parents=True)
    assert list(make(MeminfoNumaCollector, tmp_path).update()) == []
    write(tmp_path, "sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: 1 MB\n")
    write(tmp_path, "sys/devices/system/node/node0/numastat", "numa_hit 1\n")
    with pytest.raises(ValueError):
        list(make(MeminfoNumaCollector, tmp_path).update())


# ipvs ----------------------------------------------------------------------------------------------------------

IP_VS = ("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
         "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
         "TCP  C0A80016:0CEA wlc\n  -> C0A85216:0CEA Tunnel 100 248 2\n  -> C0A85318:0CEA Tunnel 50 10 1\n")


def test_ipvs_backend_labels_flag_sums_backends(tmp_path):
    # The flag's parser keeps Go's label order and drops empty and repeated items.
    assert parse_backend_labels(None, None, "proto,,local_address,proto") == ["local_address", "proto"]
    assert parse_backend_labels(None, None, "") == []
    write(tmp_path, "proc/net/ip_vs", IP_VS)
    write(tmp_path, "proc/net/ip_vs_stats", "hdr\nhdr\n 1 2 3 4 5\n")
    result = samples(make(IpvsCollector, tmp_path, ipvs_backend_labels=["local_port"]).update())
    assert result[("node_ipvs_backend_connections_active", "3306")] == 258.0
    assert result[("node_ipvs_backend_weight", "3306")] == 150.0
    assert result[("node_ipvs_connections_total",)] == 1.0


def test_ipvs_absent_is_no_data(tmp_path):
    with pytest.raises(NoDataError):
        list(make(IpvsCollector, tmp_path).update())


# flags on the command line -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (["--collector.ipvs.backend-labels=local_port,bogus"], 'unknown IPVS backend labels: "bogus"'),
    (["--collector.cpu.info.flags-include=(avx"], "invalid regular expression"),
    (["--collector.arp.device-exclude=[x"], "invalid regular expression"),
])
def test_bad_part_a_flags_exit_2_with_one_line(args, message):
    result = run_exporter(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_go_defaults_of_part_a_collectors():
    from node_exporter.cli import enabled_collectors

    enabled = set(enabled_collectors({}))
    assert {"arp", "bcache", "bonding", "btrfs", "cpufreq", "dmi", "edac", "fibrechannel", "hwmon", "infiniband",
            "ipvs", "mdadm"} <= enabled
    assert not {"buddyinfo", "cgroups", "drbd", "interrupts", "ksmd", "lnstat", "meminfo_numa"} & enabled


# node_exporter_build_info (exporter_toolkit.telemetry) -----------------------------------------------------------

def test_build_info_has_gos_label_keys_with_python_facts():
    from prometheus_client import CollectorRegistry

    from exporter_toolkit.telemetry import build_info, go_arch

    registry = CollectorRegistry()
    build_info(registry, "node_exporter", "1.2.3", revision="abc123")
    family, = registry.collect()
    sample, = family.samples
    assert sample.name == "node_exporter_build_info" and sample.value == 1.0
    assert set(sample.labels) == {"branch", "goarch", "goos", "goversion", "revision", "version"}
    assert sample.labels["version"] == "1.2.3" and sample.labels["revision"] == "abc123"
    assert sample.labels["goversion"].startswith("python3.")
    assert (go_arch("x86_64"), go_arch("aarch64"), go_arch("i686")) == ("amd64", "arm64", "386")
