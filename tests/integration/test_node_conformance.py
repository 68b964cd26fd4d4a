"""Conformance with the real Go node_exporter (Debian's prometheus-node-exporter) on the same machine: every
collector that works here enabled on both sides (Go's default set, the off-by-default ones that read this host,
and the daemon-backed ones pointed at the same fakes: a private D-Bus with systemd and logind, an SNTP responder,
a supervisord XML-RPC server, a runit service directory, an amdgpu sysfs card); same families, same label keys,
values that agree where they cannot move between two scrapes."""

from __future__ import annotations

import os

import pytest
import requests

from benchmarks.node_exporter_bench import collector_flags
from testbed.harness import free_port, start_daemon
from tests.conftest import require_binary
from tests.exposition import families
from tests.node_fakes import (
    DBusDaemon,
    NtpResponder,
    Supervisord,
    fake_logind,
    fake_systemd,
    supervisord_process,
    write_amdgpu_card,
    write_runit_service,
)

pytestmark = pytest.mark.integration

# Families of the Go exporter we do not emit, each with its reason.
EXCEPTIONS = {
    # The Go runtime's own metrics; ours are the Python runtime's (python_info, python_gc_*).
    "go_",
}
# Off by default in Go, reading this host (no daemon needed). perf needs CAP_PERFMON or root: see perf_works().
HOST_COLLECTORS = ("buddyinfo", "cgroups", "ethtool", "interrupts", "ksmd", "lnstat", "meminfo_numa", "mountstats",
                   "network_route", "processes", "slabinfo", "tcpstat", "zoneinfo")


def perf_works() -> bool:
    from node_exporter.collector import Context
    from node_exporter.collectors.perf import PerfCollector

    return bool(PerfCollector(Context(options={"perf_cpus": [0]})).events)


@pytest.fixture
def fakes(tmp_path):
    """The daemons and trees the daemon-backed collectors read, shared by both exporters."""
    bus = DBusDaemon(require_binary("dbus-daemon"), str(tmp_path))
    servicedir = tmp_path / "service"
    write_runit_service(str(servicedir), "web", 1700000000, 4242, "u", 1)
    write_runit_service(str(servicedir), "cron", 1700000100, 0, "d", 0)
    sysfs = tmp_path / "sys"  # drm reads --path.sysfs: only for the drm-only pair below
    write_amdgpu_card(str(sysfs), "card0", {"gpu_busy_percent": "12", "mem_info_vram_total": "8589934592",
                                            "mem_info_vram_used": "524288000", "mem_info_vram_vendor": "samsung",
                                            "power_dpm_force_performance_level": "auto", "unique_id": "1a2b"})
    processes = [supervisord_process("api", "web", 20, 1700000000), supervisord_process("job", "batch", 100, 0, 2)]
    try:
        with fake_systemd(bus.address), fake_logind(bus.address), NtpResponder(stratum=2) as ntp, \
                Supervisord(processes) as supervisord:
            yield {
                "env": dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus.address),
                "flags": ["--collector.systemd", "--collector.logind", "--collector.systemd.enable-task-metrics",
                          "--collector.systemd.enable-restarts-metrics",
                          "--collector.systemd.enable-start-time-metrics",
                          "--collector.ntp", f"--collector.ntp.server-port={ntp.port}",
                          "--collector.supervisord", f"--collector.supervisord.url={supervisord.url}",
                          "--collector.runit", f"--collector.runit.servicedir={servicedir}"],
                "sysfs": str(sysfs),
            }
    finally:
        bus.stop()


def scrape_pair(tmp_path, start_node_exporter, flags: list[str], env: dict) -> tuple[dict, dict]:
    go = start_daemon("go-node-exporter", [require_binary("prometheus-node-exporter"),
                                           f"--web.listen-address=127.0.0.1:{(port := free_port())}", *flags],
                      port, str(tmp_path / f"go-{port}.log"), env=env)
    ours = start_node_exporter(*flags, env=env)
    try:
        go_text = requests.get(f"http://127.0.0.1:{go.port}/metrics", timeout=30).text
        our_text = requests.get(f"http://127.0.0.1:{ours.port}/metrics", timeout=30).text
    finally:
        go.stop()
    return families(go_text), families(our_text)


@pytest.fixture
def both(tmp_path, start_node_exporter, fakes):
    flags = [*collector_flags(), *(f"--collector.{name}" for name in HOST_COLLECTORS), *fakes["flags"]]
    if perf_works():
        flags.append("--collector.perf")
    return scrape_pair(tmp_path, start_node_exporter, flags, fakes["env"])


def successes(fams: dict) -> dict[str, float]:
    return {dict(labels)["collector"]: value
            for (_n, labels), value in fams["node_scrape_collector_success"]["samples"].items()}


def test_every_go_family_and_label_key_set_is_ours_too(both):
    go, ours = both
    missing = []
    for name, entry in go.items():
        if name.startswith(tuple(EXCEPTIONS)):
            continue
        if name not in ours:
            missing.append(name)
            continue
        assert ours[name]["type"] == entry["type"], name
        assert entry["label_keys"] <= ours[name]["label_keys"], (name, entry["label_keys"], ours[name]["label_keys"])
    assert missing == []
    assert len([n for n in go if n.startswith("node_")]) > 250  # the comparison covered the real families


def test_the_same_collectors_succeed(both):
    go, ours = both
    assert successes(ours) == successes(go)
    for name in ("systemd", "logind", "ntp", "supervisord", "runit", "timex", "tcpstat", "network_route", "ethtool"):
        assert successes(ours)[name] == 1.0, name


def by_labels(entry: dict) -> dict[tuple, float]:
    """label pairs -> value (the parser names a counter's samples _total even where Go's family lacks it)."""
    return {labels: value for (_name, labels), value in entry["samples"].items()}


def sample(entry: dict, **labels) -> float:
    key = tuple(sorted(labels.items()))
    return next(value for (_name, sample_labels), value in entry["samples"].items() if sample_labels == key)


def test_slow_moving_values_agree(both):
    go, ours = both
    for name in ("node_memory_MemTotal_bytes", "node_boot_time_seconds", "node_filefd_maximum",
                 "node_entropy_pool_size_bits", "node_memory_SwapTotal_bytes", "node_timex_tick_seconds",
                 "node_timex_status", "node_timex_sync_status", "node_timex_tai_offset_seconds",
                 "node_ntp_stratum", "node_ntp_leap", "node_ntp_root_delay_seconds", "node_ntp_sanity",
                 "node_systemd_system_running"):
        assert sample(ours[name]) == sample(go[name]), name
    cpus = lambda fams: {dict(labels)["cpu"] for _n, labels in fams["node_cpu_seconds"]["samples"]}  # noqa: E731
    assert cpus(ours) == cpus(go)
    go_fs, our_fs = go["node_filesystem_size_bytes"]["samples"], ours["node_filesystem_size_bytes"]["samples"]
    assert set(our_fs) == set(go_fs)
    for key, value in go_fs.items():
        assert our_fs[key] == value, key
    for name in ("node_uname_info", "node_os_info", "node_disk_info"):
        assert set(ours[name]["samples"]) == set(go[name]["samples"]), name
    assert set(ours["node_network_receive_bytes"]["samples"]) == set(go["node_network_receive_bytes"]["samples"])
    # Read from the same fakes or the same kernel tables: equal series, equal values.
    for name in ("node_systemd_unit_state", "node_systemd_units", "node_systemd_version",
                 "node_systemd_service_restart", "node_systemd_unit_tasks_current", "node_systemd_unit_tasks_max",
                 "node_systemd_unit_start_time_seconds", "node_systemd_timer_last_trigger_seconds",
                 "node_systemd_socket_accepted_connections", "node_systemd_socket_refused_connections_total",
                 "node_logind_sessions", "node_service_state", "node_service_desired_state",
                 "node_service_normal_state", "node_service_state_last_change_timestamp_seconds",
                 "node_supervisord_up", "node_supervisord_state", "node_supervisord_exit_status",
                 "node_supervisord_start_time_seconds", "node_network_route_info", "node_network_routes",
                 "node_ethtool_info"):
        assert by_labels(ours[name]) == by_labels(go[name]), name
    states = lambda fams: {dict(labels)["state"] for _n, labels in fams["node_tcp_connection_states"]["samples"]}  # noqa: E731
    assert {"established", "listen", "rx_queued_bytes", "tx_queued_bytes"} <= states(ours) & states(go)


def test_counters_read_back_to_back_agree(both):
    """Ours was scraped right after Go: counters are equal or a little ahead, never behind."""
    go, ours = both
    for name in ("node_forks", "node_context_switches", "node_intr"):
        go_value, our_value = sample(go[name]), sample(ours[name])
        assert go_value <= our_value <= go_value * 1.05 + 1000, name
    for key, go_value in go["node_cpu_seconds"]["samples"].items():
        assert go_value - 0.05 <= ours["node_cpu_seconds"]["samples"][key] <= go_value + 30, key


def test_drm_on_the_same_sysfs_card(tmp_path, start_node_exporter, fakes):
    flags = ["--collector.disable-defaults", "--collector.drm", f"--path.sysfs={fakes['sysfs']}"]
    go, ours = scrape_pair(tmp_path, start_node_exporter, flags, fakes["env"])
    drm = [name for name in go if name.startswith("node_drm_")]
    assert len(drm) == 8
    for name in drm:
        assert by_labels(ours[name]) == by_labels(go[name]), name
