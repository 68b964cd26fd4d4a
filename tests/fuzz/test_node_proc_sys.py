"""/proc and /sys files as the kernel (or a broken driver, or a container runtime) may leave them: one file of the
project's fixture tree truncated, replaced by garbage, made huge, turned into a directory or a symlink loop, or
removed, then a whole scrape of the default collectors. The scrape always renders as valid exposition text with a
success series for every collector; every collector that never opened the file gives exactly what it gave before."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from exporter_toolkit.exposition import render_text
from node_exporter.cli import enabled_collectors
from node_exporter.collector import COLLECTORS, Context, NodeCollector
from node_exporter.collectors import filesystem, sockstat, timex
from node_exporter.collectors import time as time_collector
from node_exporter.paths import Paths
from tests.conftest import NODE_FIXTURE
from tests.fuzz.support import examples, tried
from tests.unit.node.test_golden import FAKE_STATFS, FAKE_TIMEX

# Without <procfs>/stat the host is taken for a non-Linux one: these collectors switch to psutil (portable.py).
PORTABLE = {"cpu", "meminfo", "loadavg", "filesystem", "diskstats", "netdev", "uname"}
_OPENED: list[str] | None = None  # the audit hook records opened and listed paths while this is a list


def _audit(event: str, args: tuple) -> None:
    if _OPENED is not None and event in ("open", "os.listdir", "os.scandir") and args and \
            isinstance(args[0], str | bytes | os.PathLike):
        _OPENED.append(os.fsdecode(args[0]))


class FixtureHost:
    """A copy of the fixture tree, the host-dependent calls frozen as the golden test freezes them, and for each
    default collector the files it opens and the samples it gives on the untouched tree."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="node-fuzz-"))
        shutil.copytree(NODE_FIXTURE, self.root / "tree", symlinks=True)
        self.tree = self.root / "tree"
        self.patch = pytest.MonkeyPatch()
        self.patch.setattr(filesystem.FilesystemCollector, "statfs", staticmethod(self._statfs))
        self.patch.setattr(time_collector.TimeCollector, "clock", staticmethod(lambda: 1700000000.5))
        self.patch.setattr(sockstat, "PAGE_SIZE", 4096)
        self.patch.setattr(timex.TimexCollector, "read", staticmethod(lambda: (0, FAKE_TIMEX)))
        self.patch.setenv("TZ", "UTC")
        time.tzset()
        self.paths = Paths(procfs=str(self.tree / "proc"), sysfs=str(self.tree / "sys"),
                           rootfs=str(self.tree / "rootfs"), udev_data=str(self.tree / "udev"))
        self.options = {"textfile_directory": str(self.tree / "textfile")}
        self.names = enabled_collectors(self.options)
        self.files = sorted(str(p.relative_to(self.tree)) for p in self.tree.rglob("*")
                            if p.is_file() and not p.is_symlink() and p.parts[len(self.tree.parts)] != "textfile")
        global _OPENED
        self.opened: dict[str, set[str]] = {}
        self.baseline: dict[str, dict] = {}
        for name in self.names:
            _OPENED = []
            first = self._samples(name)
            self.opened[name] = {os.path.relpath(p, self.tree) for p in _OPENED}
            _OPENED = None
            if first is not None and self._samples(name) == first:  # stable: compared after each mutation
                self.baseline[name] = first

    def _statfs(self, path: str):
        mountpoint = "/" + os.path.relpath(path, self.tree / "rootfs").removeprefix(".")
        if mountpoint not in FAKE_STATFS:
            raise OSError(5, "Input/output error")
        return FAKE_STATFS[mountpoint]

    def collectors(self) -> dict:
        context = Context(paths=self.paths, options=self.options)
        return {name: COLLECTORS.build(name, context) for name in self.names}

    def _samples(self, name: str) -> dict | None:
        try:
            families = list(self.collectors()[name].update())
        except Exception:
            return None
        return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families for s in f.samples}

    def depends(self, name: str, relative: str) -> bool:
        """Whether the collector opened the file, or listed it or a directory above it."""
        return any(relative == p or relative.startswith(p.rstrip("/") + "/") or p.startswith(relative + "/")
                   for p in self.opened[name])

    def close(self) -> None:
        self.patch.undo()
        time.tzset()
        shutil.rmtree(self.root, ignore_errors=True)


_HOST: list[FixtureHost] = []


def host() -> FixtureHost:
    if not _HOST:
        sys.addaudithook(_audit)  # once per process; inert while _OPENED is None
        _HOST.append(FixtureHost())
    return _HOST[0]


def teardown_module() -> None:
    while _HOST:
        _HOST.pop().close()


NUMBERS = ["-1", "18446744073709551616", "99999999999999999999999", "nan", "-0", "1e308", "0x1f", "", "٣", "1.5"]


@st.composite
def mutation(draw, original: bytes):
    """What the file becomes: (kind, content)."""
    kind = draw(st.sampled_from(["truncate", "garbage", "tokens", "huge", "empty", "missing", "directory",
                                 "symlink-loop", "numbers", "long-line"]))
    if kind == "truncate":
        return kind, original[:draw(st.integers(0, max(0, len(original) - 1)))]
    if kind == "garbage":
        return kind, draw(st.binary(min_size=1, max_size=400))
    if kind == "tokens":  # the original's lines, fields shuffled, dropped or swapped for numbers of any size
        lines = []
        for line in original.decode("utf-8", "surrogateescape").splitlines()[:60]:
            fields = line.split()
            if fields and draw(st.booleans()):
                index = draw(st.integers(0, len(fields) - 1))
                fields[index] = draw(st.sampled_from([*NUMBERS, ":", "=", "(", "\x00"]))
            if fields and draw(st.integers(0, 3)) == 0:
                del fields[draw(st.integers(0, len(fields) - 1))]
            lines.append(" ".join(fields))
        joined = "\n".join(draw(st.permutations(lines)) if draw(st.booleans()) else lines)
        return kind, joined.encode("utf-8", "surrogateescape")
    if kind == "numbers":
        return kind, re.sub(rb"\d+", draw(st.sampled_from(NUMBERS)).encode(), original)
    if kind == "huge":
        return kind, original * max(1, (4 << 20) // max(1, len(original)))  # about 4 MiB of repeated content
    if kind == "long-line":
        return kind, b"x" * (2 << 20)
    return kind, b""


@examples(60)
@given(st.data())
def test_one_hostile_file_never_costs_the_scrape_or_the_other_collectors(data) -> None:
    tried("/proc and /sys files")
    fixture = host()
    relative = data.draw(st.sampled_from(fixture.files), label="file")
    path = fixture.tree / relative
    original = path.read_bytes()
    kind, content = data.draw(mutation(original), label="mutation")
    try:
        if kind == "missing":
            path.unlink()
        elif kind == "directory":
            path.unlink()
            path.mkdir()
        elif kind == "symlink-loop":
            path.unlink()
            path.symlink_to(path.name)
        else:
            path.write_bytes(content)
        text = render_text(NodeCollector(fixture.collectors()).collect()).decode()
    finally:
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        elif path.exists() or path.is_symlink():
            path.unlink()
        path.write_bytes(original)
    parsed = {(s.name, tuple(sorted(s.labels.items()))): s.value
              for family in text_string_to_metric_families(text) for s in family.samples}
    successes = {labels[0][1]: value for (name, labels), value in parsed.items()
                 if name == "node_scrape_collector_success"}
    assert set(successes) == set(fixture.names), (relative, kind)
    for name, expected in fixture.baseline.items():
        gone = kind in ("missing", "directory", "symlink-loop")
        if fixture.depends(name, relative) or (relative == "proc/stat" and gone and name in PORTABLE):
            continue
        assert successes[name] == 1.0, (name, relative, kind)
        got = {key: value for key, value in parsed.items() if key in expected}
        assert got == expected, (name, relative, kind)


def test_a_field_name_that_is_no_metric_name_is_dropped_not_the_scrape():
    """Found by the fuzzing: a /proc/meminfo field "DirectMap-1k" became the family node_memory_DirectMap-1k_bytes,
    and that one line made the whole exposition unreadable to Prometheus."""
    fixture = host()
    path = fixture.tree / "proc" / "meminfo"
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"DirectMap-1k:    1024 kB\n")
        text = render_text(NodeCollector(fixture.collectors()).collect()).decode()
    finally:
        path.write_bytes(original)
    names = {family.name for family in text_string_to_metric_families(text)}
    assert "node_memory_MemTotal_bytes" in names and not any("DirectMap-1k" in name for name in names)
    assert 'node_scrape_collector_success{collector="meminfo"} 1' in text
