"""process_* metrics of the exporter itself, as prometheus_client's ProcessCollector reports them, but with the
open descriptors counted by one stat() where the kernel offers it (Linux 6.2+: the size of /proc/self/fd is the
number of open descriptors). Listing the directory, as prometheus_client does, costs about 8 ms per scrape with
10,000 client connections open: more than the rest of a node scrape."""

from __future__ import annotations

import os
from collections.abc import Iterator

from exporter_toolkit.families import Family, counter, gauge

PROC_SELF = "/proc/self"


def _boot_time() -> float:
    with open("/proc/stat", "rb") as stat:
        for line in stat:
            if line.startswith(b"btime "):
                return float(line.split()[1])
    return 0.0


def open_fds(fd_dir: str = f"{PROC_SELF}/fd") -> int:
    """Open file descriptors of this process: st_size where the kernel fills it, else a listing."""
    size = os.stat(fd_dir).st_size
    return size if size > 0 else len(os.listdir(fd_dir))


class ProcessCollector:
    """process_virtual_memory_bytes, _resident_memory_bytes, _start_time_seconds, _cpu_seconds_total, _open_fds,
    _max_fds of this process."""

    def __init__(self) -> None:
        self._ticks = os.sysconf("SC_CLK_TCK")
        self._pagesize = os.sysconf("SC_PAGE_SIZE")
        try:
            self._btime = _boot_time()
        except OSError:
            self._btime = 0.0  # no /proc: nothing to report, as prometheus_client

    def collect(self) -> Iterator[Family]:
        if not self._btime:
            return
        try:
            with open(f"{PROC_SELF}/stat", "rb") as stat:
                parts = stat.read().rsplit(b")", 1)[-1].split()
        except OSError:
            parts = []
        if parts:
            yield gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", value=float(parts[20]))
            yield gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                        value=float(parts[21]) * self._pagesize)
            yield gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                        value=float(parts[19]) / self._ticks + self._btime)
            yield counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                          value=(float(parts[11]) + float(parts[12])) / self._ticks)
        try:
            with open(f"{PROC_SELF}/limits", "rb") as limits:
                max_fds = next(float(line.split()[3]) for line in limits if line.startswith(b"Max open files"))
            fds = open_fds()
        except (OSError, StopIteration, ValueError):
            return
        yield gauge("process_open_fds", "Number of open file descriptors.", value=float(fds))
        yield gauge("process_max_fds", "Maximum number of open file descriptors.", value=max_fds)
