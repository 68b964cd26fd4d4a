"""Node collectors part B: what Go's end-to-end fixture cannot show. Hosts without the data (NoDataError or
nothing, as Go 1.5 does), malformed kernel files failing only their collector, and flags changing the output."""

from __future__ import annotations

import base64
import json
import re
import struct

import pytest

from node_exporter import netlink
from node_exporter.collector import NoDataError
from node_exporter.collectors import wifi
from node_exporter.collectors.mountstats import MountstatsCollector
from node_exporter.collectors.nfs import NfsCollector
from node_exporter.collectors.nfsd import NfsdCollector
from node_exporter.collectors.nvme import NvmeCollector
from node_exporter.collectors.powersupplyclass import PowerSupplyClassCollector
from node_exporter.collectors.processes import ProcessesCollector
from node_exporter.collectors.qdisc import QdiscCollector, from_netlink
from node_exporter.collectors.rapl import RaplCollector
from node_exporter.collectors.schedstat import SchedstatCollector
from node_exporter.collectors.selinux import SelinuxCollector
from node_exporter.collectors.slabinfo import SlabinfoCollector
from node_exporter.collectors.softnet import SoftnetCollector
from node_exporter.collectors.sysctl import SysctlCollector
from node_exporter.collectors.tapestats import TapestatsCollector
from node_exporter.collectors.thermal_zone import ThermalZoneCollector
from node_exporter.collectors.udp_queues import UdpQueuesCollector
from node_exporter.collectors.wifi import WifiCollector
from node_exporter.collectors.xfs import XfsCollector
from node_exporter.collectors.zfs import ZfsCollector
from node_exporter.collectors.zoneinfo import ZoneinfoCollector
from tests.unit.node_helpers import make, run_exporter, samples, scrape, write

# mountstats ----------------------------------------------------------------------------------------------------

NFS_MOUNT = """device srv:/export mounted on /mnt with fstype nfs statvers=1.0
\tage:\t10
\tevents:\t""" + " ".join(["1"] * 27) + """
\tbytes:\t1 2 3 4 5 6 7 8
\txprt:\ttcp 700 1 2 3 4 5 6 7 8 9
\tper-op statistics
\t        READ: 1 1 0 10 20 9007199254740993 2000 3000

"""


def test_mountstats_without_nfs_mounts_reports_nothing_and_short_lines_fail(tmp_path):
    write(tmp_path, "proc/self/mountstats", "device proc mounted on /proc with fstype proc\n")
    write(tmp_path, "proc/self/mountinfo", "17 21 0:4 / /proc rw - proc proc rw\n")
    assert list(make(MountstatsCollector, tmp_path).update()) == []
    write(tmp_path, "proc/self/mountstats", NFS_MOUNT)
    write(tmp_path, "proc/self/mountinfo", "30 21 0:40 / /mnt rw - nfs srv:/export rw,vers=3,addr=10.0.0.9\n")
    got = samples(make(MountstatsCollector, tmp_path).update())
    labels = ("srv:/export", "tcp", "10.0.0.9")
    assert got[("node_mountstats_nfs_age_seconds_total", *labels)] == 10
    assert got[("node_mountstats_nfs_transport_idle_time_seconds", *labels)] == 4  # statvers 1.0 tcp layout
    # Go takes millisecond sums modulo 2^53 before dividing: 2^53 + 1 ms is 0.001 s.
    assert got[("node_mountstats_nfs_operations_queue_time_seconds_total", *labels, "READ")] == 0.001
    write(tmp_path, "proc/self/mountstats", NFS_MOUNT.replace(" ".join(["1"] * 27), "1 2 3"))
    result = scrape({"mountstats": make(MountstatsCollector, tmp_path), "nfs": make(NfsCollector, tmp_path)})
    assert result[("node_scrape_collector_success", "mountstats")] == 0.0


# nfs / nfsd ----------------------------------------------------------------------------------------------------

def test_nfs_absent_is_no_data_and_short_v4_lines_are_zero_padded(tmp_path):
    with pytest.raises(NoDataError):
        list(make(NfsCollector, tmp_path).update())
    write(tmp_path, "proc/net/rpc/nfs", "net 1 2 3 4\nrpc 5 6 7\nproc4 3 11 12 13\n")
    got = samples(make(NfsCollector, tmp_path).update())
    assert got[("node_nfs_requests_total", "4", "Write")] == 13
    assert got[("node_nfs_requests_total", "4", "Clone")] == 0  # older kernel: fewer operations
    assert got[("node_nfs_requests_total", "3", "Commit")] == 0  # no proc3 line at all
    assert got[("node_nfs_rpc_retransmissions_total",)] == 6


def test_nfsd_absent_is_no_data_and_a_malformed_line_fails_only_nfsd(tmp_path):
    with pytest.raises(NoDataError):
        list(make(NfsdCollector, tmp_path).update())
    write(tmp_path, "proc/net/rpc/nfsd", "rc 0 6\nth 8 0\n")  # the reply cache line needs three values
    write(tmp_path, "proc/net/rpc/nfs", "net 1 2 3 4\nrpc 5 6 7\n")
    result = scrape({"nfsd": make(NfsdCollector, tmp_path), "nfs": make(NfsCollector, tmp_path)})
    assert result[("node_scrape_collector_success", "nfsd")] == 0.0
    assert result[("node_scrape_collector_success", "nfs")] == 1.0


# nvme ----------------------------------------------------------------------------------------------------------

def test_nvme_absent_class_is_no_data_and_values_are_trimmed(tmp_path):
    with pytest.raises(NoDataError):
        list(make(NvmeCollector, tmp_path).update())
    for name, value in (("model", "Disk   \n"), ("firmware_rev", "F1\n"), ("serial", " S1\n"), ("state", "live\n")):
        write(tmp_path, f"sys/class/nvme/nvme1/{name}", value)
    got = samples(make(NvmeCollector, tmp_path).update())
    assert got == {("node_nvme_info", "nvme1", "F1", "Disk", "S1", "live"): 1.0}


# powersupplyclass ----------------------------------------------------------------------------------------------

def test_power_supply_units_and_ignored_supplies_flag(tmp_path):
    with pytest.raises(NoDataError):
        list(make(PowerSupplyClassCollector, tmp_path).update())
    write(tmp_path, "sys/class/power_supply/BAT1/temp", "315\n")  # tenths of a degree
    write(tmp_path, "sys/class/power_supply/BAT1/current_now", "1500000\n")  # µA
    write(tmp_path, "sys/class/power_supply/BAT1/status", "Charging\n")
    write(tmp_path, "sys/class/power_supply/AC/online", "1\n")
    got = samples(make(PowerSupplyClassCollector, tmp_path).update())
    assert got[("node_power_supply_temp_celsius", "BAT1")] == 31.5
    assert got[("node_power_supply_current_ampere", "BAT1")] == 1.5
    assert got[("node_power_supply_info", ("power_supply", "BAT1"), ("status", "Charging"))] == 1.0
    assert got[("node_power_supply_info", ("power_supply", "AC"))] == 1.0
    ignored = samples(make(PowerSupplyClassCollector, tmp_path,
                           powersupply_ignored_supplies=re.compile("^AC$")).update())
    assert ("node_power_supply_online", "AC") not in ignored
    assert ("node_power_supply_temp_celsius", "BAT1") in ignored


# processes -----------------------------------------------------------------------------------------------------

def stat_line(pid: int, comm: str, state: str, threads: int) -> str:
    rest = ["0"] * 16 + [str(threads)] + ["0"] * 30
    return f"{pid} ({comm}) {state} {' '.join(rest)}\n"


def test_processes_count_threads_by_state_and_skip_vanished_pids(tmp_path):
    write(tmp_path, "proc/sys/kernel/threads-max", "100\n")
    write(tmp_path, "proc/sys/kernel/pid_max", "200\n")
    write(tmp_path, "proc/5/stat", stat_line(5, "a (b) c", "S", 2))  # comm with spaces and parentheses
    write(tmp_path, "proc/5/task/5/stat", stat_line(5, "a (b) c", "R", 2))  # the main thread: process state wins
    write(tmp_path, "proc/5/task/6/stat", stat_line(6, "worker", "D", 2))
    (tmp_path / "proc/7").mkdir()  # exited between listing /proc and reading its stat
    got = samples(make(ProcessesCollector, tmp_path).update())
    assert got[("node_processes_pids",)] == 1
    assert got[("node_processes_threads",)] == 2
    assert got[("node_processes_state", "S")] == 1
    assert got[("node_processes_threads_state", "S")] == 1
    assert got[("node_processes_threads_state", "D")] == 1
    assert got[("node_processes_max_processes",)] == 200


# qdisc ---------------------------------------------------------------------------------------------------------

def test_qdisc_reports_root_qdiscs_and_the_device_flags_filter(tmp_path):
    write(tmp_path, "q/results.json", json.dumps([
        {"IfaceName": "eth0", "Kind": "mq", "Bytes": 5},
        {"ifacename": "eth0", "kind": "fq_codel", "parent": 65537, "bytes": 3},  # a child: not reported
        {"IfaceName": "wlan0", "Kind": "fq", "Bytes": 7},
    ]))
    fixtures = str(tmp_path / "q")
    got = samples(make(QdiscCollector, tmp_path, qdisc_fixtures=fixtures).update())
    assert got[("node_qdisc_bytes_total", "eth0", "mq")] == 5
    assert ("node_qdisc_bytes_total", "eth0", "fq_codel") not in got
    included = samples(make(QdiscCollector, tmp_path, qdisc_fixtures=fixtures,
                            qdisk_device_include=re.compile("^wlan")).update())
    assert set(included) == {key for key in got if key[1] == "wlan0"}
    excluded = samples(make(QdiscCollector, tmp_path, qdisc_fixtures=fixtures,
                            qdisc_device_exclude=re.compile("^wlan")).update())
    assert {key[1] for key in excluded} == {"eth0"}


def test_qdisc_netlink_dump_sees_the_loopback_root_qdisc():
    infos = from_netlink()
    assert any(info["IfaceName"] == "lo" and info["Parent"] == 0 and info["Kind"] for info in infos)


# rapl ----------------------------------------------------------------------------------------------------------

def test_rapl_absent_is_no_data_zone_label_flag_and_repeated_zone_names(tmp_path):
    with pytest.raises(NoDataError):
        list(make(RaplCollector, tmp_path).update())
    write(tmp_path, "sys/class/powercap/intel-rapl/enabled", "1\n")
    for zone, name, energy in (("intel-rapl:0", "package-1", 2_000_000), ("intel-rapl:0:0", "dram", 1_000_000),
                               ("intel-rapl:1:0", "dram", 3_000_000)):
        write(tmp_path, f"sys/class/powercap/{zone}/name", name + "\n")
        write(tmp_path, f"sys/class/powercap/{zone}/energy_uj", f"{energy}\n")
    root = tmp_path / "sys/class/powercap"
    got = samples(make(RaplCollector, tmp_path).update())
    assert got[("node_rapl_package_joules_total", "1", f"{root}/intel-rapl:0")] == 2.0
    assert got[("node_rapl_dram_joules_total", "0", f"{root}/intel-rapl:0:0")] == 1.0
    assert got[("node_rapl_dram_joules_total", "1", f"{root}/intel-rapl:1:0")] == 3.0
    labelled = make(RaplCollector, tmp_path, rapl_enable_zone_label=True).update()
    got = samples(labelled)
    assert got[("node_rapl_joules_total", "1", f"{root}/intel-rapl:1:0", "dram")] == 3.0
    assert len(got) == 3


# schedstat / softnet / slabinfo ----------------------------------------------------------------------------------

def test_schedstat_absent_is_no_data_and_domain_lines_are_ignored(tmp_path):
    with pytest.raises(NoDataError):
        list(make(SchedstatCollector, tmp_path).update())
    write(tmp_path, "proc/schedstat", "version 15\ncpu3 0 0 0 0 0 0 2500000000 500000000 7\ndomain0 3 1 2 3\n")
    got = samples(make(SchedstatCollector, tmp_path).update())
    assert got == {("node_schedstat_running_seconds_total", "3"): 2.5,
                   ("node_schedstat_waiting_seconds_total", "3"): 0.5,
                   ("node_schedstat_timeslices_total", "3"): 7.0}


def test_softnet_short_line_fails_only_softnet(tmp_path):
    write(tmp_path, "proc/net/softnet_stat", "0000000a 00000001 00000002\n")
    write(tmp_path, "proc/schedstat", "version 15\n")
    result = scrape({"softnet": make(SoftnetCollector, tmp_path), "schedstat": make(SchedstatCollector, tmp_path)})
    assert result[("node_scrape_collector_success", "softnet")] == 0.0
    assert result[("node_scrape_collector_success", "schedstat")] == 1.0


def test_slabinfo_needs_version_2_header(tmp_path):
    write(tmp_path, "proc/slabinfo", "slabinfo - version: 1.1\nkmalloc 1 2 3 4 5\n")
    with pytest.raises(ValueError, match="unsupported slabinfo header"):
        list(make(SlabinfoCollector, tmp_path).update())


# selinux -------------------------------------------------------------------------------------------------------

def test_selinux_modes_from_selinuxfs_and_config(tmp_path):
    assert samples(make(SelinuxCollector, tmp_path).update()) == {("node_selinux_enabled",): 0.0}
    write(tmp_path, "sys/fs/selinux/enforce", "1")
    write(tmp_path, "etc/selinux/config", "# comment\nSELINUX=permissive\nSELINUXTYPE=targeted\n")
    got = samples(make(SelinuxCollector, tmp_path).update())
    assert got == {("node_selinux_enabled",): 1.0, ("node_selinux_current_mode",): 1.0,
                   ("node_selinux_config_mode",): 0.0}


# sysctl --------------------------------------------------------------------------------------------------------

def test_sysctl_flags_shape_the_metrics_and_key_count_mismatch_fails(tmp_path):
    write(tmp_path, "proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n")
    write(tmp_path, "proc/sys/kernel/hostname", "box\n")
    collector = make(SysctlCollector, tmp_path, sysctl_include=("net.ipv4.ip_local_port_range:low,high",),
                     sysctl_include_info=("kernel.hostname",))
    got = samples(collector.update())
    assert got == {("node_sysctl_net_ipv4_ip_local_port_range_low",): 32768.0,
                   ("node_sysctl_net_ipv4_ip_local_port_range_high",): 60999.0,
                   ("node_sysctl_info", "kernel.hostname", "box", "0"): 1.0}
    wrong = make(SysctlCollector, tmp_path, sysctl_include=("net.ipv4.ip_local_port_range:a,b,c",))
    with pytest.raises(ValueError, match="has 2 keys"):
        list(wrong.update())
    assert list(make(SysctlCollector, tmp_path).update()) == []  # no flag, nothing asked


# tapestats -----------------------------------------------------------------------------------------------------

def test_tapestats_counts_only_st_nodes_and_the_ignore_flag(tmp_path):
    with pytest.raises(NoDataError):
        list(make(TapestatsCollector, tmp_path).update())
    for device in ("st0", "st1"):
        for name in ("in_flight", "io_ns", "other_cnt", "read_byte_cnt", "read_cnt", "read_ns", "resid_cnt",
                     "write_byte_cnt", "write_cnt", "write_ns"):
            write(tmp_path, f"sys/class/scsi_tape/{device}/stats/{name}", "2000000000\n")
    (tmp_path / "sys/class/scsi_tape/nst0").mkdir()  # the no-rewind alias of st0: no stats of its own
    got = samples(make(TapestatsCollector, tmp_path).update())
    assert got[("node_tape_io_time_seconds_total", "st0")] == 2.0
    assert {key[1] for key in got} == {"st0", "st1"}
    ignored = samples(make(TapestatsCollector, tmp_path, tapestats_ignored_devices=re.compile("st1")).update())
    assert {key[1] for key in ignored} == {"st0"}


# thermal_zone --------------------------------------------------------------------------------------------------

def test_thermal_zone_without_zones_reports_nothing_and_bad_temp_fails(tmp_path):
    assert list(make(ThermalZoneCollector, tmp_path).update()) == []
    write(tmp_path, "sys/class/thermal/thermal_zone3/type", "acpitz\n")
    write(tmp_path, "sys/class/thermal/thermal_zone3/temp", "27800\n")
    assert samples(make(ThermalZoneCollector, tmp_path).update()) == {
        ("node_thermal_zone_temp", "3", "acpitz"): 27.8}
    write(tmp_path, "sys/class/thermal/thermal_zone3/temp", "hot\n")
    with pytest.raises(ValueError):
        list(make(ThermalZoneCollector, tmp_path).update())


# udp_queues ----------------------------------------------------------------------------------------------------

UDP = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
       "   0: 00000000:0016 00000000:0000 07 00000010:00000001 00:00000000 00000000     0        0 1 2\n"
       "   1: 00000000:0017 00000000:0000 07 00000001:00000002 00:00000000 00000000     0        0 1 2\n")


def test_udp_queues_sum_sockets_and_missing_files(tmp_path):
    with pytest.raises(NoDataError):
        list(make(UdpQueuesCollector, tmp_path).update())
    write(tmp_path, "proc/net/udp", UDP)
    got = samples(make(UdpQueuesCollector, tmp_path).update())
    assert got == {("node_udp_queues", "tx", "v4"): 17.0, ("node_udp_queues", "rx", "v4"): 3.0}  # no udp6: v4 only


# wifi ----------------------------------------------------------------------------------------------------------

def test_wifi_fixture_interface_without_bss_and_missing_interfaces_file(tmp_path):
    mac = base64.b64encode(bytes([0xde, 0xad, 0xbe, 0xef, 0, 1])).decode()
    write(tmp_path, "w/interfaces.json", json.dumps([{"Name": "wlp2s0", "Frequency": 5180}, {"type": 10}]))
    write(tmp_path, "w/wlp2s0/stationinfo.json", json.dumps([{"HardwareAddr": mac, "Connected": 2_500_000_000}]))
    got = samples(make(WifiCollector, tmp_path, wifi_fixtures=str(tmp_path / "w")).update())
    assert got[("node_wifi_interface_frequency_hertz", "wlp2s0")] == 5.18e9
    assert got[("node_wifi_station_connected_seconds_total", "wlp2s0", "de:ad:be:ef:00:01")] == 2.5
    assert not any(key[0] == "node_wifi_station_info" for key in got)  # no bss.json: no station info
    result = scrape({"wifi": make(WifiCollector, tmp_path, wifi_fixtures=str(tmp_path / "nowhere"))})
    assert result[("node_scrape_collector_success", "wifi")] == 0.0


def test_wifi_nl80211_answers_are_decoded_into_gos_units(monkeypatch):
    """The kernel's attributes (ms, 100 kbit/s units, signed dBm byte, SSID element) as Go's wifi package reads them;
    no WiFi hardware here, so the answers are built with the same netlink encoding."""
    attr = netlink.attribute
    u32 = struct.Struct("=I").pack
    station = {
        wifi.NL80211_ATTR_MAC: bytes([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]),
        wifi.NL80211_ATTR_STA_INFO: b"".join([
            attr(wifi.NL80211_STA_INFO_INACTIVE_TIME, u32(400)),
            attr(wifi.NL80211_STA_INFO_CONNECTED_TIME, u32(30)),
            attr(wifi.NL80211_STA_INFO_RX_BYTES, u32(7)),
            attr(wifi.NL80211_STA_INFO_RX_BYTES64, struct.pack("=Q", 1 << 33)),
            attr(wifi.NL80211_STA_INFO_TX_BYTES, u32(9)),
            attr(wifi.NL80211_STA_INFO_SIGNAL, bytes([0xcc])),
            attr(wifi.NL80211_STA_INFO_TX_BITRATE, attr(wifi.NL80211_RATE_INFO_BITRATE32, u32(1640))),
            attr(wifi.NL80211_STA_INFO_RX_BITRATE, attr(wifi.NL80211_RATE_INFO_BITRATE, struct.pack("=H", 1280))),
            attr(wifi.NL80211_STA_INFO_TX_RETRIES, u32(10)),
            attr(wifi.NL80211_STA_INFO_BEACON_LOSS, u32(1)),
        ]),
    }
    seen_bss = {wifi.NL80211_ATTR_BSS: attr(wifi.NL80211_BSS_BSSID, bytes(6))}  # scanned, not joined
    joined_bss = {wifi.NL80211_ATTR_BSS: b"".join([
        attr(wifi.NL80211_BSS_BSSID, bytes([0, 0x11, 0x22, 0x33, 0x44, 0x55])),
        attr(wifi.NL80211_BSS_INFORMATION_ELEMENTS, b"\x01\x02ab\x00\x07Example"),
        attr(wifi.NL80211_BSS_STATUS, u32(1)),
    ])}
    answers = {wifi.NL80211_CMD_GET_STATION: [station], wifi.NL80211_CMD_GET_SCAN: [seen_bss, joined_bss]}
    source = wifi.NetlinkSource(family=0)
    monkeypatch.setattr(source, "_dump", lambda command, interface: answers[command])
    interface = wifi.Interface(3, "wlan0", 2412)
    assert source.bss(interface) == wifi.Bss("Example", "00:11:22:33:44:55", 1)
    (got,) = source.stations(interface)
    assert got == wifi.Station(mac="aa:bb:cc:dd:ee:ff", connected_seconds=30.0, inactive_seconds=0.4,
                               receive_bitrate=128_000_000, transmit_bitrate=164_000_000, received_bytes=1 << 33,
                               transmitted_bytes=9, signal=-52, transmit_retries=10, transmit_failed=0,
                               beacon_loss=1)


def test_wifi_without_nl80211_is_no_data(tmp_path):
    if netlink.genl_family("nl80211") is not None:
        pytest.skip("this kernel has nl80211")
    with pytest.raises(NoDataError, match="nl80211"):
        list(make(WifiCollector, tmp_path).update())


# xfs / zfs / zoneinfo ----------------------------------------------------------------------------------------------

def test_xfs_without_filesystems_reports_nothing_and_wrong_width_fails(tmp_path):
    assert list(make(XfsCollector, tmp_path).update()) == []
    write(tmp_path, "sys/fs/xfs/dm-0/stats/stats", "rw 5 6\n")
    got = samples(make(XfsCollector, tmp_path).update())
    assert got[("node_xfs_write_calls_total", "dm-0")] == 5
    assert got[("node_xfs_vnode_active_total", "dm-0")] == 0  # line absent: zero, as Go's zero-valued struct
    write(tmp_path, "sys/fs/xfs/dm-0/stats/stats", "rw 5\n")
    with pytest.raises(ValueError, match="incorrect number of values"):
        list(make(XfsCollector, tmp_path).update())


def test_zfs_absent_is_no_data_and_negative_int64_fails_as_in_go(tmp_path):
    with pytest.raises(NoDataError):
        list(make(ZfsCollector, tmp_path).update())
    kstat = "6 1 0x01 2 96 1 2\nname                            type data\n"
    write(tmp_path, "proc/spl/kstat/zfs/arcstats", kstat + "hits 4 10\nc-max 4 3\nname 7 text\n")
    write(tmp_path, "proc/spl/kstat/zfs/tank/state", "SUSPENDED\n")
    got = samples(make(ZfsCollector, tmp_path).update())
    assert got[("node_zfs_arc_hits",)] == 10
    assert got[("node_zfs_arc_c_max",)] == 3  # dashes become underscores; string kstats are skipped
    assert got[("node_zfs_zpool_state", "tank", "online")] == 0  # Go 1.5 has no "suspended" state
    write(tmp_path, "proc/spl/kstat/zfs/dmu_tx", kstat + "dmu_tx_delta 3 -5\n")
    with pytest.raises(ValueError, match="dmu_tx_delta"):
        list(make(ZfsCollector, tmp_path).update())


def test_zoneinfo_protection_arrays_and_unparsable_values(tmp_path):
    write(tmp_path, "proc/zoneinfo", "Node 0, zone      DMA\n  pages free     5\n        min      x\n"
                                     "        high     9\n        protection: (0, 10, 20)\n"
                                     "Node 1, zone   Normal\n        high     4\n")
    got = samples(make(ZoneinfoCollector, tmp_path).update())
    assert got[("node_zoneinfo_high_pages", "0", "DMA")] == 9
    assert got[("node_zoneinfo_protection_2", "0", "DMA")] == 20
    assert ("node_zoneinfo_min_pages", "0", "DMA") not in got  # "x" leaves the field unset, as in Go
    assert ("node_zoneinfo_protection_0", "1", "Normal") not in got


# flags and defaults --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (["--collector.qdisc", "--collector.qdisc.device-include=a", "--collector.qdisc.device-exclude=b"],
     "mutually exclusive"),
    (["--collector.qdisc", "--collector.qdisk.device-exclude=a", "--collector.qdisc.device-exclude=b"],
     "mutually exclusive"),
    (["--collector.powersupply.ignored-supplies=(x"], "invalid regular expression"),
])
def test_bad_part_b_flags_exit_2_with_one_line(args, message):
    result = run_exporter(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_go_defaults_of_part_b_collectors():
    from node_exporter.cli import enabled_collectors

    enabled = set(enabled_collectors({}))
    assert {"nfs", "nfsd", "nvme", "powersupplyclass", "rapl", "schedstat", "selinux", "softnet", "tapestats",
            "thermal_zone", "udp_queues", "xfs", "zfs"} <= enabled
    assert not {"mountstats", "processes", "qdisc", "slabinfo", "sysctl", "wifi", "zoneinfo"} & enabled
