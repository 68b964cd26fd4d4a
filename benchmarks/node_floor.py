"""The floor of a node scrape: the file system calls one scrape makes, made again on the same paths with no parsing
or formatting, timed collector by collector beside each collector's own update().

Recording wraps the os and io functions the collectors reach (open, listdir, scandir, stat, lstat, statvfs,
readlink) while each collector runs once; an opened file is replayed as open, read to the end, close. Calls that
touch no file (adjtimex, uname, the clock) are not part of the floor. Times are the measuring thread's CPU time
(the kernel's work in these calls included), medians over interleaved rounds, so other processes on a busy machine
do not count.

    python -m benchmarks.node_floor [--rounds 200] [--json]
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from exporter_toolkit.exposition import render_text
from node_exporter.cli import command, enabled_collectors
from node_exporter.collector import COLLECTORS, Context, NodeCollector
from node_exporter.paths import Paths

Call = tuple[str, str]  # (what, path): "read", "listdir", "scandir", "stat", "lstat", "statvfs", "readlink"
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)


@contextlib.contextmanager
def recording(calls: list[Call]) -> Iterator[None]:
    """Append every file system call the code inside makes (any thread) to `calls`."""
    originals: dict[tuple[Any, str], Callable] = {}

    def wrap(owner: Any, name: str, what: str) -> None:
        real = getattr(owner, name)
        originals[owner, name] = real

        def recorded(path, *args, **kwargs):
            if isinstance(path, (str, bytes, os.PathLike)):
                calls.append((what, os.fsdecode(path)))
            return real(path, *args, **kwargs)

        setattr(owner, name, recorded)

    wrap(os, "open", "read")
    wrap(builtins, "open", "read")
    wrap(io, "open", "read")
    for name in ("listdir", "scandir", "stat", "lstat", "statvfs", "readlink"):
        wrap(os, name, name)
    try:
        yield
    finally:
        for (owner, name), real in originals.items():
            setattr(owner, name, real)


def _read_all(path: str) -> None:
    fd = os.open(path, _READ_FLAGS)
    try:
        while os.read(fd, 65536):
            pass
    finally:
        os.close(fd)


_REPLAY: dict[str, Callable[[str], Any]] = {
    "read": _read_all,
    "listdir": os.listdir,
    "scandir": lambda path: list(os.scandir(path)),
    "stat": os.stat,
    "lstat": os.lstat,
    "statvfs": os.statvfs,
    "readlink": os.readlink,
}


def replay(calls: list[Call]) -> None:
    """Make `calls` again; a call that failed for the collector (a missing file) fails here too, at the same cost."""
    for what, path in calls:
        with contextlib.suppress(OSError):
            _REPLAY[what](path)


def _run(collector: Any) -> None:
    with contextlib.suppress(Exception):  # a collector with nothing to report here still made its calls
        list(collector.update())


def measure(args: list[str], rounds: int) -> dict:
    """Per collector: the calls of one update(), the median update() and the median replay of its calls (ms);
    and the whole scrape (every collector, then the text rendering) against the replay of all its calls."""
    options = command.make_context("node_exporter", list(args)).params
    context = Context(paths=Paths(), options=options)
    collectors = {name: COLLECTORS.build(name, context) for name in enabled_collectors(options)}
    node = NodeCollector(collectors)
    for collector in collectors.values():  # warm: caches the collectors keep between scrapes are filled
        _run(collector)
    calls: dict[str, list[Call]] = {}
    for name, collector in collectors.items():
        calls[name] = []
        with recording(calls[name]):
            _run(collector)
    everything = [call for recorded in calls.values() for call in recorded]
    timings: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in collectors}
    scrape, floor = [], []
    clock = time.thread_time  # CPU time of this thread: what other processes run in between is not counted
    for _ in range(rounds):  # interleaved, so both see the same machine noise
        for name, collector in collectors.items():
            start = clock()
            _run(collector)
            middle = clock()
            replay(calls[name])
            timings[name][0].append(middle - start)
            timings[name][1].append(clock() - middle)
        start = clock()
        render_text(node.collect())
        middle = clock()
        replay(everything)
        scrape.append(middle - start)
        floor.append(clock() - middle)
    rows = {name: {"calls": len(calls[name]), "update_ms": statistics.median(update) * 1000,
                   "floor_ms": statistics.median(replayed) * 1000}
            for name, (update, replayed) in timings.items()}
    return {"collectors": rows, "calls": len(everything), "scrape_ms": statistics.median(scrape) * 1000,
            "floor_ms": statistics.median(floor) * 1000}


def print_floor(results: dict) -> None:
    print(f"floor: one scrape's {results['calls']} file system calls replayed, in process (no HTTP): "
          f"{results['floor_ms']:.2f} ms; collect and render {results['scrape_ms']:.2f} ms, "
          f"{results['scrape_ms'] / results['floor_ms']:.1f}x the floor")
    print(f"{'collector':18}{'calls':>7}{'update ms':>11}{'floor ms':>10}{'x floor':>9}")
    rows = sorted(results["collectors"].items(), key=lambda item: -item[1]["update_ms"])
    for name, row in rows:
        ratio = f"{row['update_ms'] / row['floor_ms']:>9.1f}" if row["floor_ms"] > 0 and row["calls"] else f"{'-':>9}"
        print(f"{name:18}{row['calls']:>7}{row['update_ms']:>11.3f}{row['floor_ms']:>10.3f}{ratio}")


if __name__ == "__main__":
    import argparse
    import json

    from benchmarks.node_exporter_bench import collector_flags

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    options = parser.parse_args()
    outcome = measure(collector_flags(), options.rounds)
    if options.json:
        print(json.dumps(outcome, indent=2))
    else:
        print_floor(outcome)
