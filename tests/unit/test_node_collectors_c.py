"""Node collectors part C: the collectors that talk to the kernel through syscalls, ioctls and netlink (timex, perf,
ethtool, tcpstat, network_route) or to daemons (systemd, logind over D-Bus; ntp, supervisord; runit's files; drm's
sysfs). Daemons are real servers on loopback or a private D-Bus, started by fixtures; what this machine cannot
show runs on recorded data."""

from __future__ import annotations

import errno
import os
import socket
import struct

import pytest

from exporter_toolkit.exposition import render_openmetrics, render_text
from node_exporter import netlink
from node_exporter.collector import Context, NoDataError
from node_exporter.collectors import ethtool, network_route, perf, tcpstat, timex
from node_exporter.collectors.drm import DrmCollector
from node_exporter.collectors.logind import LogindCollector
from node_exporter.collectors.ntp import NtpCollector, parse_duration
from node_exporter.collectors.runit import RunitCollector
from node_exporter.collectors.supervisord import SupervisordCollector
from node_exporter.collectors.systemd import SystemdCollector, unit_path
from node_exporter.paths import Paths
from tests.conftest import require_binary
from tests.node_fakes import (
    DBusDaemon,
    DBusPeer,
    NtpResponder,
    Supervisord,
    fake_logind,
    fake_systemd,
    supervisord_process,
    systemd_tables,
    write_amdgpu_card,
    write_runit_service,
)
from tests.unit.node_helpers import run_exporter


def collect(collector) -> dict[str, dict]:
    """name -> {"type", "help", "rows": {label tuple: value}} (labels as sorted (key, value) pairs)."""
    out = {}
    for family in collector.update():
        rows = {tuple(sorted(zip(family.label_names, values, strict=True))): value for values, value in family.rows}
        out[family.sample_name] = {"type": family.type, "help": family.documentation, "rows": rows}
    return out


def value(families: dict, metric: str, /, **labels) -> float:
    return families[metric]["rows"][tuple(sorted(labels.items()))]


# --- timex -------------------------------------------------------------------------------------------------------

def test_timex_reads_this_hosts_clock_discipline():
    state, tx = timex.adjtimex()
    families = collect(timex.TimexCollector(Context()))
    assert value(families, "node_timex_sync_status") == (0.0 if state == timex.TIME_ERROR else 1.0)
    assert value(families, "node_timex_tick_seconds") == tx.tick / 1e6 > 0  # the kernel's tick is never 0
    assert value(families, "node_timex_status") == float(tx.status)
    assert len(families) == 17 and families["node_timex_pps_jitter_total"]["type"] == "counter"


@pytest.mark.parametrize(("status", "divisor"), [(0x0001, 1e6), (0x2001, 1e9)])
def test_timex_units_follow_the_nano_status_bit(monkeypatch, status, divisor):
    fake = timex.Timex(offset=-250000, freq=655360, maxerror=1500, esterror=20, status=status, tick=10000,
                       jitter=3000, tai=37)
    monkeypatch.setattr(timex.TimexCollector, "read", staticmethod(lambda: (timex.TIME_ERROR, fake)))
    families = collect(timex.TimexCollector(Context()))
    assert value(families, "node_timex_offset_seconds") == -250000 / divisor
    assert value(families, "node_timex_pps_jitter_seconds") == 3000 / divisor
    assert value(families, "node_timex_frequency_adjustment_ratio") == 1 + 655360 / 65536e6
    assert value(families, "node_timex_maxerror_seconds") == 0.0015
    assert value(families, "node_timex_sync_status") == 0.0
    assert value(families, "node_timex_tai_offset_seconds") == 37.0


def test_timex_without_permission_is_no_data(monkeypatch):
    def refused():
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(timex.TimexCollector, "read", staticmethod(refused))
    with pytest.raises(NoDataError):
        collect(timex.TimexCollector(Context()))


# --- tcpstat -----------------------------------------------------------------------------------------------------

def diag_message(state: int, rqueue: int, wqueue: int) -> bytes:
    return tcpstat.MESSAGE.pack(socket.AF_INET, state, 0, 0, 0, rqueue, wqueue, 0, 0)


def test_tcpstat_counts_states_and_sums_queues():
    stats = {"rx_queued_bytes": 0.0, "tx_queued_bytes": 0.0}
    tcpstat.count_messages([diag_message(1, 10, 0), diag_message(1, 0, 5), diag_message(10, 3, 128),
                            diag_message(6, 0, 0)], stats)
    assert stats == {"established": 2.0, "listen": 1.0, "time_wait": 1.0, "rx_queued_bytes": 13.0,
                     "tx_queued_bytes": 133.0}


def test_tcpstat_sees_sockets_opened_by_the_test():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            server, _ = listener.accept()
            with server:
                client.sendall(b"x" * 100)  # unread: counted in the receiver's queue
                families = collect(tcpstat.TcpstatCollector(Context()))
    states = {dict(labels)["state"]: v for labels, v in families["node_tcp_connection_states"]["rows"].items()}
    assert states["listen"] >= 1 and states["established"] >= 2
    assert states["rx_queued_bytes"] >= 100


# --- network_route -----------------------------------------------------------------------------------------------

def route_message(family: int, dst: bytes | None, dst_len: int, protocol: int, kind: int, attrs: bytes) -> bytes:
    body = network_route.RTMSG.pack(family, dst_len, 0, 0, 254, protocol, 0, kind, 0)
    if dst:
        body += netlink.attribute(network_route.RTA_DST, dst)
    return body + attrs


def test_network_route_parses_unicast_and_multipath_routes():
    u32 = lambda v: struct.pack("=I", v)  # noqa: E731
    hop = lambda ifindex, weight, gw: (  # noqa: E731
        struct.pack("=HBBi", 8 + 8, 0, weight, ifindex) + netlink.attribute(network_route.RTA_GATEWAY, gw))
    messages = [
        route_message(socket.AF_INET, None, 0, 3, 1, netlink.attribute(network_route.RTA_GATEWAY, bytes([10, 0, 0, 1]))
                      + netlink.attribute(network_route.RTA_OIF, u32(2))),
        route_message(socket.AF_INET, bytes([10, 0, 0, 0]), 24, 2, 1,
                      netlink.attribute(network_route.RTA_PREFSRC, bytes([10, 0, 0, 5]))
                      + netlink.attribute(network_route.RTA_OIF, u32(2))
                      + netlink.attribute(network_route.RTA_PRIORITY, u32(100))),
        route_message(socket.AF_INET, bytes([192, 168, 0, 0]), 16, 0xBA, 1, netlink.attribute(
            network_route.RTA_MULTIPATH, hop(2, 0, bytes([10, 0, 0, 2])) + hop(3, 4, bytes([10, 1, 0, 2])))),
        route_message(socket.AF_INET, bytes([127, 0, 0, 1]), 32, 2, 2, b""),  # local: not unicast, skipped
    ]
    routes = network_route.routes(messages, {2: "eth0", 3: "eth1"})
    assert routes == [
        ["eth0", "", "default", "10.0.0.1", "0", "boot", ""],
        ["eth0", "10.0.0.5", "10.0.0.0/24", "", "100", "kernel", ""],
        ["eth0", "", "192.168.0.0/16", "10.0.0.2", "0", "bgp", "1"],
        ["eth1", "", "192.168.0.0/16", "10.1.0.2", "0", "bgp", "5"],
    ]


def test_network_route_agrees_with_proc_net_route():
    """Every IPv4 route of the main table in /proc/net/route is one of ours (same device, destination, gateway)."""
    families = collect(network_route.NetworkRouteCollector(Context()))
    ours = {(dict(labels)["device"], dict(labels)["dest"], dict(labels)["gw"])
            for labels in families["node_network_route_info"]["rows"]}
    with open("/proc/net/route") as handle:
        lines = handle.read().splitlines()[1:]
    assert lines, "this host has IPv4 routes"
    for line in lines:
        device, destination, gateway, _flags, _, _, _, mask = line.split()[:8]
        dst = socket.inet_ntoa(struct.pack("<I", int(destination, 16)))
        prefix = bin(int(mask, 16)).count("1")
        gw = socket.inet_ntoa(struct.pack("<I", int(gateway, 16)))
        assert (device, "default" if prefix == 0 else f"{dst}/{prefix}", "" if gw == "0.0.0.0" else gw) in ours
    per_device = families["node_network_routes"]["rows"]
    assert sum(per_device.values()) == len(families["node_network_route_info"]["rows"])


# --- runit -------------------------------------------------------------------------------------------------------

def test_runit_reads_supervise_status_records(tmp_path):
    write_runit_service(str(tmp_path), "web", 1700000000, 4242, "u", 1)
    write_runit_service(str(tmp_path), "backup", 1700000500, 0, "d", 0)
    (tmp_path / "backup" / "supervise" / "down").touch()
    write_runit_service(str(tmp_path), "flappy", 1700000900, 77, "u", 2)
    (tmp_path / "not-a-service").mkdir()  # no supervise/status: skipped
    families = collect(RunitCollector(Context(options={"runit_servicedir": str(tmp_path)})))
    labels = lambda name: {"service": name, "supervisor": "runit"}  # noqa: E731
    assert value(families, "node_service_state", **labels("web")) == 1.0
    assert value(families, "node_service_state", **labels("flappy")) == 2.0
    assert value(families, "node_service_desired_state", **labels("backup")) == 0.0
    assert value(families, "node_service_normal_state", **labels("backup")) == 0.0
    assert value(families, "node_service_normal_state", **labels("web")) == 1.0
    assert value(families, "node_service_state_last_change_timestamp_seconds", **labels("backup")) == 1700000500.0
    assert len(families["node_service_state"]["rows"]) == 3


def test_runit_without_service_directory_fails(tmp_path):
    with pytest.raises(FileNotFoundError):
        collect(RunitCollector(Context(options={"runit_servicedir": str(tmp_path / "missing")})))


# --- supervisord ------------------------------------------------------------------------------------------------

def test_supervisord_over_xmlrpc():
    processes = [supervisord_process("api", "web", 20, 1700000000), supervisord_process("job", "batch", 100, 0, 3),
                 supervisord_process("boot", "web", 10, 1700000100)]
    with Supervisord(processes) as server:
        collector = SupervisordCollector(Context(options={"supervisord_url": server.url}))
        families = collect(collector)
        text = render_text(collector.update()).decode()
    assert value(families, "node_supervisord_up", name="api", group="web") == 1.0
    assert value(families, "node_supervisord_up", name="job", group="batch") == 0.0
    assert value(families, "node_supervisord_up", name="boot", group="web") == 1.0  # STARTING counts as running
    assert value(families, "node_supervisord_exit_status", name="job", group="batch") == 3.0
    assert value(families, "node_supervisord_state", name="job", group="batch") == 100.0
    assert families["node_supervisord_start_time_seconds"]["rows"] == {
        (("group", "web"), ("name", "api")): 1700000000.0, (("group", "web"), ("name", "boot")): 1700000100.0}
    # Go's type and name: a counter without _total.
    assert families["node_supervisord_start_time_seconds"]["type"] == "counter"
    assert "# TYPE node_supervisord_start_time_seconds counter\n" in text
    assert 'node_supervisord_start_time_seconds{group="web",name="api"} 1.7e+09\n' in text


def test_supervisord_unreachable_is_an_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/RPC2"  # bound, not listening: refused
        with pytest.raises(RuntimeError, match="unable to call supervisord"):
            collect(SupervisordCollector(Context(options={"supervisord_url": url})))


# --- ntp ---------------------------------------------------------------------------------------------------------

def ntp_options(port: int, **extra) -> dict:
    return {"ntp_server": "127.0.0.1", "ntp_server_port": port, "ntp_protocol_version": 4, "ntp_ip_ttl": 1,
            "ntp_max_distance": 3.46608, "ntp_local_offset_tolerance": 0.001, **extra}


def test_ntp_against_a_local_sntp_responder():
    with NtpResponder(stratum=2, root_delay=0.5, root_dispersion=0.25) as server:
        families = collect(NtpCollector(Context(options=ntp_options(server.port))))
    assert server.requests == 1
    assert value(families, "node_ntp_stratum") == 2.0
    assert value(families, "node_ntp_leap") == 0.0
    assert value(families, "node_ntp_root_delay_seconds") == 0.5
    assert value(families, "node_ntp_root_dispersion_seconds") == 0.25
    assert 0 <= value(families, "node_ntp_rtt_seconds") < 0.5
    assert abs(value(families, "node_ntp_offset_seconds")) < 0.05
    assert value(families, "node_ntp_sanity") == 1.0


@pytest.mark.parametrize(("responder", "options"), [
    ({"stratum": 16}, {}),  # unsynchronised server
    ({"leap": 3}, {}),  # alarm condition
    ({"offset": 0.5}, {}),  # causality error beyond --collector.ntp.local-offset-tolerance
    ({"root_dispersion": 4.0}, {}),  # root distance beyond --collector.ntp.max-distance
    ({"reference_age": 200000.0}, {}),  # reference time not fresh
])
def test_ntp_sanity_fails_as_rfc5905_says(responder, options):
    with NtpResponder(**responder) as server:
        families = collect(NtpCollector(Context(options=ntp_options(server.port, **options))))
    assert value(families, "node_ntp_sanity") == 0.0


def test_ntp_no_answer_is_an_error():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        collector = NtpCollector(Context(options=ntp_options(silent.getsockname()[1])))
        with pytest.raises(RuntimeError, match="couldn't get SNTP reply"):
            collect(collector)


def test_ntp_durations_parse_as_go():
    assert parse_duration(None, None, "3.46608s") == 3.46608
    assert parse_duration(None, None, "1ms") == 0.001
    assert parse_duration(None, None, "1m30s") == 90.0
    with pytest.raises(Exception, match="invalid duration"):
        parse_duration(None, None, "3 seconds")


@pytest.mark.parametrize(("args", "message"), [
    (["--collector.ntp", "--collector.ntp.server=192.0.2.1"], "only IP address of local NTP server"),
    (["--collector.ntp", "--collector.ntp.protocol-version=5"], "invalid NTP protocol version 5"),
    (["--collector.perf", "--collector.perf.cpus=1-2-3"], "invalid flag value"),
    (["--collector.perf", "--collector.perf.tracepoint=sched"], "invalid tracepoint config"),
])
def test_bad_collector_flags_exit_2_with_one_line(args, message):
    result = run_exporter(*args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


# --- drm -------------------------------------------------------------------------------------------------------

def test_drm_reads_amdgpu_cards(tmp_path):
    write_amdgpu_card(str(tmp_path), "card0", {"gpu_busy_percent": "42", "mem_info_vram_total": "8589934592",
                                               "mem_info_vram_used": "1073741824", "mem_info_vram_vendor": "hynix",
                                               "power_dpm_force_performance_level": "auto", "unique_id": "abc"})
    write_amdgpu_card(str(tmp_path), "card1", {"gpu_busy_percent": "7"}, driver="i915")
    write_amdgpu_card(str(tmp_path), "card0-DP-1", {})  # a connector, not a card
    families = collect(DrmCollector(Context(paths=Paths(sysfs=str(tmp_path)))))
    assert value(families, "node_drm_gpu_busy_percent", card="card0") == 42.0
    assert value(families, "node_drm_memory_vram_size_bytes", card="card0") == 8589934592.0
    assert value(families, "node_drm_gpu_busy_percent", card="card1") == 0.0  # not amdgpu: not read, as Go
    assert value(families, "node_drm_card_info", card="card0", memory_vendor="hynix", power_performance_level="auto",
                 unique_id="abc", vendor="amd") == 1.0
    assert len(families["node_drm_card_info"]["rows"]) == 2


def test_drm_without_cards_reports_nothing(tmp_path):
    assert collect(DrmCollector(Context(paths=Paths(sysfs=str(tmp_path))))) == {}


# --- ethtool -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("stat", "name"), [
    ("rx_queue_0_bytes", "node_ethtool_received_queue_0_bytes"),
    ("tx_tx_timeouts", "node_ethtool_transmitted_tx_timeouts"),  # non-overlapping matches, as Go's regexp
    ("tx_xdp_tx_drops", "node_ethtool_transmitted_xdp_transmitted_drops"),
    ("port.rx_bytes", "node_ethtool_port_received_bytes"),
    ("Rx Packets (64)", "node_ethtool_received_packets_64_"),
])
def test_ethtool_metric_names_as_go(stat, name):
    assert ethtool.metric_name(stat) == name


class RecordedEthtool:
    """What an Intel ixgbe port answered (ETHTOOL_GSET, GDRVINFO, GSTATS), recorded: this VM's virtio NIC has no
    link modes."""

    def link_info(self, device):
        if device != "eth0":
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        supported = (1 << 5) | (1 << 12) | (1 << 6) | (1 << 10) | (1 << 13)  # 1000/10000 full, autoneg, fibre, pause
        return supported, (1 << 12) | (1 << 6), 1

    def driver_info(self, device):
        if device != "eth0":
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return {"driver": "ixgbe", "version": "5.1.0-k", "firmware_version": "0x800003df",
                "bus_info": "0000:03:00.0", "expansion_rom_version": "", "n_stats": 5}

    def stats(self, device):
        if device != "eth0":
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return {"rx_packets": 1234, "tx_bytes": 999, "rx-missed": 1, "rx_missed": 2, "fdir_match": 77}


def test_ethtool_on_recorded_answers(tmp_path):
    for device in ("eth0", "lo"):
        (tmp_path / "class" / "net" / device).mkdir(parents=True)
    collector = ethtool.EthtoolCollector(Context(paths=Paths(sysfs=str(tmp_path)), options={}))
    collector.ethtool = RecordedEthtool()
    families = collect(collector)
    assert value(families, "node_ethtool_info", bus_info="0000:03:00.0", device="eth0", driver="ixgbe",
                 expansion_rom_version="", firmware_version="0x800003df", version="5.1.0-k") == 1.0
    assert value(families, "node_ethtool_received_packets_total", device="eth0") == 1234.0
    assert families["node_ethtool_received_packets_total"]["type"] == "unknown"  # untyped, as Go
    assert value(families, "node_ethtool_transmitted_bytes_total", device="eth0") == 999.0
    assert value(families, "node_ethtool_fdir_match", device="eth0") == 77.0
    assert "node_ethtool_received_missed" not in families  # rx-missed and rx_missed clash: both dropped
    assert value(families, "node_network_supported_speed_bytes", device="eth0", duplex="full",
                 mode="10000baseT") == 1.25e9
    assert value(families, "node_network_advertised_speed_bytes", device="eth0", duplex="full",
                 mode="10000baseT") == 1.25e9
    assert len(families["node_network_advertised_speed_bytes"]["rows"]) == 1
    assert value(families, "node_network_supported_port_info", device="eth0", type="FIBRE") == 1.0
    assert value(families, "node_network_pause_supported", device="eth0") == 1.0
    assert value(families, "node_network_pause_advertised", device="eth0") == 0.0
    assert value(families, "node_network_autonegotiate", device="eth0") == 1.0


def test_ethtool_flags_filter_devices_and_stats(tmp_path):
    for device in ("eth0", "eth1"):
        (tmp_path / "class" / "net" / device).mkdir(parents=True)
    options = {"ethtool_device_exclude": __import__("re").compile("^eth1$"),
               "ethtool_metrics_include": __import__("re").compile("^rx")}
    collector = ethtool.EthtoolCollector(Context(paths=Paths(sysfs=str(tmp_path)), options=options))
    collector.ethtool = RecordedEthtool()
    families = collect(collector)
    assert "node_ethtool_transmitted_bytes_total" not in families and "node_ethtool_fdir_match" not in families
    assert set(families["node_ethtool_received_packets_total"]["rows"]) == {(("device", "eth0"),)}


def test_ethtool_ioctls_on_this_host():
    """Driver info of every device whose driver answers ETHTOOL_GDRVINFO, as ethtool -i prints it."""
    families = collect(ethtool.EthtoolCollector(Context(options={})))
    devices = {dict(labels)["device"]: dict(labels) for labels in families["node_ethtool_info"]["rows"]}
    for device, labels in devices.items():
        driver = os.path.basename(os.path.realpath(f"/sys/class/net/{device}/device/driver"))
        if os.path.exists(f"/sys/class/net/{device}/device/driver"):
            assert labels["driver"] == driver.replace("-", "_") or labels["driver"] == driver
    assert devices, "no device answered ETHTOOL_GDRVINFO"


# --- perf ------------------------------------------------------------------------------------------------------

def test_perf_cpu_list_syntax():
    assert perf.parse_cpus(None, None, "0,2-4") == [0, 2, 3, 4]
    assert perf.parse_cpus(None, None, "1-10:5") == [1, 6]
    assert perf.parse_cpus(None, None, "") is None


def test_perf_software_counters_on_this_host():
    collector = perf.PerfCollector(Context(options={"perf_cpus": [0]}))
    if not collector.events:
        with pytest.raises(NoDataError):  # perf_event_paranoid or no CAP_PERFMON: nothing to report, as Go
            collect(collector)
        return
    first = value(collect(collector), "node_perf_context_switches_total", cpu="0")
    for _ in range(50):
        os.sched_yield()
    families = collect(collector)
    assert set(families["node_perf_page_faults_total"]["rows"]) == {(("cpu", "0"),)}
    assert value(families, "node_perf_context_switches_total", cpu="0") >= first


def test_perf_tracepoints_are_bare_named_counters(tmp_path, monkeypatch):
    """Go serves node_perf_SUBSYSTEM_EVENT typed counter without _total. The kernel side is faked (no tracefs
    here): a tracefs id file, and each CPU's event fd a pipe holding one perf reading."""
    (tmp_path / "events" / "sched" / "sched_switch").mkdir(parents=True)
    (tmp_path / "events" / "sched" / "sched_switch" / "id").write_text("316\n")
    monkeypatch.setattr(perf, "TRACEFS", (str(tmp_path),))

    def fake_open(kind: int, config: int, cpu: int) -> int:
        if (kind, config) != (perf.TYPE_TRACEPOINT, 316):
            raise OSError(errno.ENOENT, "not on this fake PMU")
        read_end, write_end = os.pipe()
        os.write(write_end, perf.READING.pack(100 * cpu + 5, 1, 1))
        os.close(write_end)
        return read_end

    monkeypatch.setattr(perf, "perf_event_open", fake_open)
    options = {"perf_cpus": [0, 1], "perf_tracepoint": [("sched", "sched_switch")]}
    (family,) = list(perf.PerfCollector(Context(options=options)).update())
    assert family.type == "counter"
    assert family.name == family.sample_name == "node_perf_sched_sched_switch"
    assert sorted(family.rows) == [(["0"], 5.0), (["1"], 105.0)]
    text = render_text([family]).decode()
    assert text.startswith("# HELP node_perf_sched_sched_switch Perf tracepoint sched:sched_switch\n"
                           "# TYPE node_perf_sched_sched_switch counter\n")
    assert 'node_perf_sched_sched_switch{cpu="1"} 105\n' in text
    assert "# TYPE node_perf_sched_sched_switch unknown\n" in render_openmetrics([family]).decode()


def test_perf_missing_tracepoint_fails_the_collector(monkeypatch):
    monkeypatch.setattr(perf, "TRACEFS", ("/nonexistent/tracing",))
    collector = perf.PerfCollector(Context(options={"perf_cpus": [0], "perf_tracepoint": [("sched", "nope")]}))
    with pytest.raises(OSError, match="tracepoint sched:nope not found"):
        collect(collector)


# --- systemd and logind over a private D-Bus ---------------------------------------------------------------------

@pytest.fixture
def private_bus(tmp_path, monkeypatch):
    """A dbus-daemon of our own; the collectors find it as Go's would, through DBUS_SYSTEM_BUS_ADDRESS."""
    bus = DBusDaemon(require_binary("dbus-daemon"), str(tmp_path))
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
    yield bus.address
    bus.stop()


def systemd_options(**extra) -> dict:
    return {"systemd_enable_task_metrics": True, "systemd_enable_restarts_metrics": True,
            "systemd_enable_start_time_metrics": True, **extra}


def test_unit_paths_escape_as_systemd():
    assert unit_path("ssh.service") == "/org/freedesktop/systemd1/unit/ssh_2eservice"
    assert unit_path("nginx@a-b.service") == "/org/freedesktop/systemd1/unit/nginx_40a_2db_2eservice"
    assert unit_path("1x.service").startswith("/org/freedesktop/systemd1/unit/_31x")


def test_systemd_units_sockets_timers_tasks(private_bus):
    with fake_systemd(private_bus):
        families = collect(SystemdCollector(Context(options=systemd_options())))
    assert value(families, "node_systemd_version", version="252.22-1~deb12u1") == 252.22
    assert value(families, "node_systemd_system_running") == 1.0
    assert value(families, "node_systemd_units", state="active") == 4.0  # every unit, loaded or not
    assert value(families, "node_systemd_units", state="inactive") == 2.0
    assert value(families, "node_systemd_unit_state", name="ssh.service", state="active", type="notify") == 1.0
    assert value(families, "node_systemd_unit_state", name="cron.service", state="failed", type="simple") == 1.0
    names = {dict(labels)["name"] for labels in families["node_systemd_unit_state"]["rows"]}
    assert names == {"ssh.service", "cron.service", "nginx@a-b.service", "dbus.socket", "apt-daily.timer"}
    assert value(families, "node_systemd_service_restart_total", name="nginx@a-b.service") == 7.0
    assert value(families, "node_systemd_unit_tasks_current", name="ssh.service") == 3.0
    assert (("name", "cron.service"),) not in families["node_systemd_unit_tasks_max"]["rows"]  # unlimited
    assert value(families, "node_systemd_unit_start_time_seconds", name="ssh.service") == 1700000000.123456
    assert value(families, "node_systemd_unit_start_time_seconds", name="cron.service") == 0.0  # not active
    assert value(families, "node_systemd_socket_accepted_connections_total", name="dbus.socket") == 12.0
    assert value(families, "node_systemd_socket_refused_connections_total", name="dbus.socket") == 3.0
    assert families["node_systemd_socket_refused_connections_total"]["type"] == "gauge"
    assert value(families, "node_systemd_timer_last_trigger_seconds", name="apt-daily.timer") == 1700003600.5


def test_systemd_include_exclude_are_anchored(private_bus):
    import re

    options = systemd_options(systemd_unit_include=re.compile("^(?:.*\\.service)$"),
                              systemd_unit_exclude=re.compile("^(?:cron)$"))  # anchored: matches no unit name
    with fake_systemd(private_bus, state="degraded"):
        families = collect(SystemdCollector(Context(options=options)))
    names = {dict(labels)["name"] for labels in families["node_systemd_unit_state"]["rows"]}
    assert names == {"ssh.service", "cron.service", "nginx@a-b.service"}
    assert value(families, "node_systemd_system_running") == 0.0
    assert "node_systemd_socket_accepted_connections_total" not in families


def test_systemd_old_version_skips_system_state_and_timers(private_bus):
    with fake_systemd(private_bus, version="209"):
        families = collect(SystemdCollector(Context(options={})))
    assert value(families, "node_systemd_version", version="209") == 209.0
    assert "node_systemd_system_running" not in families and "node_systemd_timer_last_trigger_seconds" not in families
    assert "node_systemd_unit_tasks_current" not in families  # not enabled


def test_systemd_private_socket_is_a_peer_connection(tmp_path, monkeypatch):
    """--collector.systemd.private talks to systemd's own socket: no message bus, no Hello, same answers."""
    from node_exporter import dbus_client

    path = str(tmp_path / "private")
    monkeypatch.setattr(dbus_client, "SYSTEMD_PRIVATE_SOCKET", f"unix:path={path}")
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")  # the bus must not be used
    with DBusPeer(path, systemd_tables()) as peer:
        families = collect(SystemdCollector(Context(options=systemd_options(systemd_private=True))))
    assert peer.calls > 10
    assert value(families, "node_systemd_unit_state", name="ssh.service", state="active", type="notify") == 1.0
    assert value(families, "node_systemd_system_running") == 1.0


def test_systemd_without_a_bus_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/nothing")
    with pytest.raises(RuntimeError, match="couldn't get dbus connection"):
        collect(SystemdCollector(Context(options={})))


def test_logind_sessions_by_seat_remote_type_class(private_bus):
    with fake_logind(private_bus):
        families = collect(LogindCollector(Context()))
    rows = families["node_logind_sessions"]["rows"]
    assert len(rows) == 2 * 7 * 5 * 3  # remote x type x class x (seat0, seat1, "")
    counted = {labels: v for labels, v in rows.items() if v}
    key = lambda seat, remote, kind, klass: (("class", klass), ("remote", remote), ("seat", seat), ("type", kind))  # noqa: E731
    assert counted == {key("seat0", "false", "x11", "user"): 2.0, key("", "true", "tty", "user"): 1.0,
                       key("seat1", "false", "other", "greeter"): 1.0}


# --- portable mode (psutil) against the /proc collectors ---------------------------------------------------------

PORTABLE_COLLECTORS = ("cpu", "meminfo", "loadavg", "filesystem", "diskstats", "netdev", "uname")


def scrape_families(portable: bool, paths: Paths | None = None) -> dict[str, dict]:
    from node_exporter.cli import build_registry

    options = {"disable_defaults": True, "portable": portable, **{f"collector__{n}": True for n in PORTABLE_COLLECTORS}}
    families = {}
    for family in build_registry(options, paths or Paths()).collect():
        rows = {tuple(sorted(s.labels.items())): s.value for s in family.samples}
        families[family.samples[0].name if family.samples else family.name] = {"help": family.documentation,
                                                                               "type": family.type, "rows": rows}
    return families


def close(a: float, b: float, relative: float, absolute: float = 0.0) -> bool:
    return abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))


def test_portable_mode_agrees_with_the_proc_collectors():
    linux, portable = scrape_families(False), scrape_families(True)
    assert all(v == 1.0 for v in portable["node_scrape_collector_success"]["rows"].values())
    shared = set(linux) & set(portable) - {"node_scrape_collector_duration_seconds", "node_scrape_collector_success"}
    assert {"node_cpu_seconds_total", "node_load1", "node_filesystem_size_bytes", "node_disk_read_bytes_total",
            "node_network_receive_bytes_total", "node_uname_info"} <= shared
    for name in shared:
        assert portable[name]["help"] == linux[name]["help"] and portable[name]["type"] == linux[name]["type"], name
    # CPU seconds per cpu and mode, read back to back: within a second.
    for key, seconds in portable["node_cpu_seconds_total"]["rows"].items():
        assert close(seconds, linux["node_cpu_seconds_total"]["rows"][key], 0.01, 1.0), key
    for name in ("node_load1", "node_load5", "node_load15"):
        assert close(portable[name]["rows"][()], linux[name]["rows"][()], 0.2, 0.5), name
    # Memory: Go darwin's names against /proc/meminfo's.
    assert portable["node_memory_total_bytes"]["rows"][()] == linux["node_memory_MemTotal_bytes"]["rows"][()]
    assert portable["node_memory_swap_total_bytes"]["rows"][()] == linux["node_memory_SwapTotal_bytes"]["rows"][()]
    assert close(portable["node_memory_free_bytes"]["rows"][()], linux["node_memory_MemFree_bytes"]["rows"][()], 0.05)
    # Filesystems seen by both: the same sizes and inode counts, free space within 1%.
    common = set(portable["node_filesystem_size_bytes"]["rows"]) & set(linux["node_filesystem_size_bytes"]["rows"])
    assert common
    for key in common:
        assert portable["node_filesystem_size_bytes"]["rows"][key] == linux["node_filesystem_size_bytes"]["rows"][key]
        assert portable["node_filesystem_files"]["rows"][key] == linux["node_filesystem_files"]["rows"][key]
        assert close(portable["node_filesystem_avail_bytes"]["rows"][key],
                     linux["node_filesystem_avail_bytes"]["rows"][key], 0.01)
    # Disks and interfaces: the same devices, counters within a few percent (the machine is busy).
    for name in ("node_disk_reads_completed_total", "node_disk_written_bytes_total",
                 "node_network_receive_bytes_total", "node_network_transmit_packets_total"):
        assert set(portable[name]["rows"]) == set(linux[name]["rows"]), name
        for key, number in portable[name]["rows"].items():
            assert close(number, linux[name]["rows"][key], 0.05, 4096), (name, key)
    (ours,), (theirs,) = portable["node_uname_info"]["rows"], linux["node_uname_info"]["rows"]
    fields = ("sysname", "release", "version", "machine")
    assert {k: v for k, v in ours if k in fields} == {k: v for k, v in theirs if k in fields}


def test_portable_mode_is_automatic_without_proc_stat(tmp_path):
    (tmp_path / "proc").mkdir()
    families = scrape_families(False, Paths(procfs=str(tmp_path / "proc"), sysfs=str(tmp_path / "sys")))
    assert "node_memory_total_bytes" in families and "node_memory_MemTotal_bytes" not in families
    successes = families["node_scrape_collector_success"]["rows"]
    assert {dict(k)["collector"]: v for k, v in successes.items()} == dict.fromkeys(PORTABLE_COLLECTORS, 1.0)
