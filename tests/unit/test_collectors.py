"""Behaviour of individual collectors that the golden file cannot show: state across scrapes, deadlines."""

from __future__ import annotations

import threading
import time

from node_exporter.collector import Context
from node_exporter.collectors.cpu import CPUCollector
from node_exporter.collectors.filesystem import FilesystemCollector, unescape
from node_exporter.collectors.meminfo import parse_meminfo
from node_exporter.paths import Paths


def samples(families) -> dict[tuple, float]:
    return {(f.name, *values): value for f in families for values, value in f.rows}


def write_stat(proc, user: int, idle: int, iowait: int) -> None:
    (proc / "stat").write_text(f"cpu  {user} 0 0 {idle} {iowait} 0 0 0 0 0\n"
                               f"cpu0 {user} 0 0 {idle} {iowait} 0 0 0 0 0\nintr 1\n")


def test_cpu_counters_never_go_backwards_but_hotplug_resets(tmp_path):
    collector = CPUCollector(Context(paths=Paths(procfs=str(tmp_path)), options={"cpu_guest": False}))
    write_stat(tmp_path, user=1000, idle=50000, iowait=300)
    first = samples(collector.update())
    write_stat(tmp_path, user=1100, idle=50100, iowait=250)  # iowait stepping back, as the kernel does
    second = samples(collector.update())
    assert second[("node_cpu_seconds", "0", "iowait")] == first[("node_cpu_seconds", "0", "iowait")] == 3.0
    assert second[("node_cpu_seconds", "0", "user")] == 11.0
    write_stat(tmp_path, user=10, idle=100, iowait=1)  # idle fell by far more than 3 s: CPU was replugged
    third = samples(collector.update())
    assert third[("node_cpu_seconds", "0", "idle")] == 1.0
    assert third[("node_cpu_seconds", "0", "iowait")] == 0.01


def test_meminfo_names_and_units():
    values = parse_meminfo("MemTotal: 2 kB\nActive(anon): 1 kB\nHugePages_Total: 3\n")
    assert values == {"MemTotal_bytes": 2048.0, "Active_anon_bytes": 1024.0, "HugePages_Total": 3.0}


def test_mount_escapes_are_decoded():
    assert unescape(r"/mnt/with\040space\011tab\134slash") == "/mnt/with space\ttab\\slash"


def test_hung_network_mount_is_marked_stuck_and_skipped_until_it_returns(tmp_path):
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "mounts").write_text("server:/x /remote nfs4 rw 0 0\n/dev/sda1 /data ext4 rw 0 0\n")
    release = threading.Event()
    calls: list[str] = []

    def statfs(path: str):
        calls.append(path)
        if path.endswith("remote"):
            release.wait(10)
        return (10.0, 5.0, 4.0, 3.0, 2.0)

    collector = FilesystemCollector(Context(paths=Paths(procfs=str(proc), rootfs="/"),
                                            options={"filesystem_mount_timeout": 0.2}))
    collector.statfs = statfs
    start = time.monotonic()
    first = samples(collector.update())
    assert time.monotonic() - start < 5
    assert first[("node_filesystem_device_error", "server:/x", "nfs4", "/remote")] == 1.0
    assert first[("node_filesystem_size_bytes", "/dev/sda1", "ext4", "/data")] == 10.0
    remote_calls = calls.count("/remote")
    second = samples(collector.update())  # still stuck: not asked again, reported as an error at once
    assert calls.count("/remote") == remote_calls
    assert second[("node_filesystem_device_error", "server:/x", "nfs4", "/remote")] == 1.0
    release.set()

    def recovered():
        return samples(collector.update()).get(("node_filesystem_size_bytes", "server:/x", "nfs4", "/remote"))

    deadline = time.monotonic() + 10
    while recovered() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert recovered() == 10.0
