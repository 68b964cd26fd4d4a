"""The whole node exporter against the project's fixture /proc + /sys tree, compared line by line with a golden
exposition file (as the Go exporter's end-to-end test does). UPDATE_GOLDEN=1 rewrites the file."""

from __future__ import annotations

import os
import re
import shutil
import time

import pytest

from exporter_toolkit.exposition import render_text
from node_exporter.cli import build_registry
from node_exporter.collectors import filesystem, sockstat, timex
from node_exporter.collectors import time as time_collector
from node_exporter.paths import Paths
from tests.conftest import NODE_FIXTURE

GOLDEN = NODE_FIXTURE.parent / "node-golden.prom"
DURATION = re.compile(r"^(node_scrape_collector_duration_seconds\{.*\}) .*$", re.M)

# adjtimex(2) as a chrony-disciplined clock answers it (nanosecond resolution, PLL on, TAI offset set).
FAKE_TIMEX = timex.Timex(offset=-123456, freq=-1153024, maxerror=4500, esterror=120, status=0x2001, constant=7,
                         tick=10000, ppsfreq=0, jitter=0, shift=0, stabil=0, tai=37)

# Sizes per mount point the fake statfs() answers; anything else fails as an unreachable NFS server would.
FAKE_STATFS = {
    "/": (100e9, 40e9, 35e9, 6553600.0, 6000000.0),
    "/srv/data disk": (2e12, 1e12, 1e12, 1e6, 9e5),
    "/tmp": (12e9, 12e9, 12e9, 3e6, 2.9e6),
}


@pytest.fixture
def deterministic(monkeypatch, tmp_path):
    """Freeze what the fixture tree cannot: statfs, the clock and its discipline, the time zone, page size, textfile
    mtimes."""
    def fake_statfs(path: str):
        mountpoint = "/" + os.path.relpath(path, NODE_FIXTURE / "rootfs").removeprefix(".")
        if mountpoint not in FAKE_STATFS:
            raise OSError(5, "Input/output error")
        return FAKE_STATFS[mountpoint]

    monkeypatch.setattr(filesystem.FilesystemCollector, "statfs", staticmethod(fake_statfs))
    monkeypatch.setattr(time_collector.TimeCollector, "clock", staticmethod(lambda: 1700000000.5))
    monkeypatch.setattr(sockstat, "PAGE_SIZE", 4096)
    monkeypatch.setattr(timex.TimexCollector, "read", staticmethod(lambda: (0, FAKE_TIMEX)))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    textfiles = tmp_path / "textfile"
    shutil.copytree(NODE_FIXTURE / "textfile", textfiles)
    for path in textfiles.iterdir():
        os.utime(path, (1700000000, 1700000000))
    yield {"textfile_directory": str(textfiles)}
    monkeypatch.delenv("TZ")
    time.tzset()


def scrape(paths: Paths, options: dict) -> str:
    registry = build_registry(options, paths)
    return render_text(registry.collect()).decode()


def normalise(text: str) -> str:
    return DURATION.sub(r"\1 <duration>", text)


def test_fixture_tree_matches_golden_exposition(node_fixture_paths, deterministic):
    output = normalise(scrape(node_fixture_paths, deterministic))
    output = output.replace(deterministic["textfile_directory"], "<textfile-dir>")
    output = output.replace(str(NODE_FIXTURE), "<fixture-dir>")  # rapl's path label is the sysfs path, as in Go
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(output)
    expected = GOLDEN.read_text()
    assert output.splitlines() == expected.splitlines()


def test_golden_covers_every_collector_successfully_but_the_broken_nfs_mount(node_fixture_paths, deterministic):
    output = scrape(node_fixture_paths, deterministic)
    failed = re.findall(r'node_scrape_collector_success\{collector="(\w+)"\} 0', output)
    assert failed == []
    assert 'node_filesystem_device_error{device="server:/export",fstype="nfs4",mountpoint="/home"} 1' in output
    assert 'mountpoint="/srv/data disk"' in output  # octal escape in /proc/mounts decoded


def copy_tree(tmp_path):
    target = tmp_path / "tree"
    shutil.copytree(NODE_FIXTURE, target)
    return target, Paths(procfs=str(target / "proc"), sysfs=str(target / "sys"), rootfs=str(target / "rootfs"),
                         udev_data=str(target / "udev"))


@pytest.mark.parametrize(("collector", "relative", "content"), [
    ("meminfo", "proc/meminfo", "MemTotal: twelve kB\n"),
    ("loadavg", "proc/loadavg", "garbage\n"),
    ("stat", "proc/stat", "cpu 1 2 3\n"),
    ("netdev", "proc/net/dev", "h1\nh2\n  eth0: 1 2 3\n"),
    ("filefd", "proc/sys/fs/file-nr", "1 2\n"),
    ("netstat", "proc/net/netstat", "TcpExt: A B\nTcpExt: 1\n"),
    ("arp", "proc/net/arp", "IP address HW type\n10.0.0.1 0x1\n"),
    ("softnet", "proc/net/softnet_stat", "0001b3f4 00000000\n"),
    ("ipvs", "proc/net/ip_vs_stats", "garbage\n"),
    ("mdadm", "proc/mdstat", "md0 : active raid1 sda1[0]\n"),
])
def test_corrupted_file_fails_only_its_collector(tmp_path, deterministic, collector, relative, content):
    target, paths = copy_tree(tmp_path)
    (target / relative).write_text(content)
    output = scrape(paths, deterministic)
    successes = dict(re.findall(r'node_scrape_collector_success\{collector="(\w+)"\} (\S+)', output))
    assert successes.pop(collector) == "0"
    assert set(successes.values()) == {"1"}, successes
    assert "node_load1 0.21" in output or collector == "loadavg"
    assert "node_memory_MemTotal_bytes" in output or collector == "meminfo"


def test_malformed_textfile_sets_scrape_error_and_keeps_other_files(tmp_path, node_fixture_paths, deterministic):
    directory = deterministic["textfile_directory"]
    with open(os.path.join(directory, "broken.prom"), "w") as handle:
        handle.write("# TYPE broken gauge\nbroken{a=\"1\" 1\n")
    output = scrape(node_fixture_paths, deterministic)
    assert "node_textfile_scrape_error 1" in output
    assert 'backup_runs_total{result="ok"} 41' in output
    assert "broken" not in output.replace("broken.prom", "")
    assert 'node_scrape_collector_success{collector="textfile"} 1' in output


def test_textfile_with_timestamps_is_rejected(node_fixture_paths, deterministic):
    with open(os.path.join(deterministic["textfile_directory"], "stamped.prom"), "w") as handle:
        handle.write("stamped_metric 1 1700000000000\n")
    output = scrape(node_fixture_paths, deterministic)
    assert "node_textfile_scrape_error 1" in output
    assert "stamped_metric" not in output


def test_missing_pressure_is_no_data_not_an_error(tmp_path, deterministic):
    target, paths = copy_tree(tmp_path)
    shutil.rmtree(target / "proc" / "pressure")
    output = scrape(paths, deterministic)
    assert 'node_scrape_collector_success{collector="pressure"} 0' in output
    assert "node_pressure_" not in output
