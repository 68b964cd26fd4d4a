"""The filesystem collector (node_exporter/collectors/filesystem.py)."""

from __future__ import annotations

import threading
import time

from node_exporter.collector import Context
from node_exporter.collectors.filesystem import FilesystemCollector, unescape
from node_exporter.paths import Paths
from tests.unit.node.helpers import samples_by_family_name


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
    first = samples_by_family_name(collector.update())
    assert time.monotonic() - start < 5
    assert first[("node_filesystem_device_error", "server:/x", "nfs4", "/remote")] == 1.0
    assert first[("node_filesystem_size_bytes", "/dev/sda1", "ext4", "/data")] == 10.0
    remote_calls = calls.count("/remote")
    second = samples_by_family_name(collector.update())  # still stuck: not asked again, reported as an error at once
    assert calls.count("/remote") == remote_calls
    assert second[("node_filesystem_device_error", "server:/x", "nfs4", "/remote")] == 1.0
    release.set()

    def recovered():
        key = ("node_filesystem_size_bytes", "server:/x", "nfs4", "/remote")
        return samples_by_family_name(collector.update()).get(key)

    deadline = time.monotonic() + 10
    while recovered() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert recovered() == 10.0
