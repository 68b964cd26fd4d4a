"""node_perf_*: per-CPU hardware, software and cache event counts from perf_event_open(2) through ctypes.

As Go 1.5: the counters are opened once per CPU (--collector.perf.cpus, default all) for every process (pid -1)
when the collector is built and read at each scrape, so values count from the exporter's start. Events the CPU
or hypervisor lacks are skipped; when none can be opened (perf_event_paranoid, no CAP_PERFMON) the collector
reports no data. --collector.perf.tracepoint SUBSYSTEM:EVENT adds node_perf_SUBSYSTEM_EVENT per CPU.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import platform
import struct

import click

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import Family, counter, raw_counter
from node_exporter.collector import Collector, Context, NoDataError, register
from node_exporter.libc import LIBC

log = logging.getLogger(__name__)

SYSCALL_NUMBERS = {"x86_64": 298, "aarch64": 241, "armv7l": 364, "ppc64le": 319, "s390x": 331, "riscv64": 241,
                   "i686": 336}
TYPE_HARDWARE, TYPE_SOFTWARE, TYPE_TRACEPOINT, TYPE_HW_CACHE = 0, 1, 2, 3
ATTR_SIZE = 112  # PERF_ATTR_SIZE_VER5
ATTR_HEAD = struct.Struct("=IIQQQQQ")  # type, size, config, sample_period, sample_type, read_format, flag bits
EXCLUDE_HV = 1 << 6
FORMAT_TIMES = 0x3  # PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING
FLAG_FD_CLOEXEC = 0x8
READING = struct.Struct("=QQQ")  # value, time enabled, time running


def _cache(cache: int, op: int, result: int) -> int:
    return cache | (op << 8) | (result << 16)


# (event type, config, metric, HELP) in Go's order: hardware, software, cache.
EVENTS = (
    (TYPE_HARDWARE, 0, "node_perf_cpucycles_total", "Number of CPU cycles (frequency scaled)"),
    (TYPE_HARDWARE, 1, "node_perf_instructions_total", "Number of CPU instructions"),
    (TYPE_HARDWARE, 4, "node_perf_branch_instructions_total", "Number of CPU branch instructions"),
    (TYPE_HARDWARE, 5, "node_perf_branch_misses_total", "Number of CPU branch misses"),
    (TYPE_HARDWARE, 2, "node_perf_cache_refs_total", "Number of cache references (non frequency scaled)"),
    (TYPE_HARDWARE, 3, "node_perf_cache_misses_total", "Number of cache misses"),
    (TYPE_HARDWARE, 9, "node_perf_ref_cpucycles_total", "Number of CPU cycles"),
    (TYPE_SOFTWARE, 2, "node_perf_page_faults_total", "Number of page faults"),
    (TYPE_SOFTWARE, 3, "node_perf_context_switches_total", "Number of context switches"),
    (TYPE_SOFTWARE, 4, "node_perf_cpu_migrations_total", "Number of CPU process migrations"),
    (TYPE_SOFTWARE, 5, "node_perf_minor_faults_total", "Number of minor page faults"),
    (TYPE_SOFTWARE, 6, "node_perf_major_faults_total", "Number of major page faults"),
    (TYPE_HW_CACHE, _cache(0, 0, 0), "node_perf_cache_l1d_read_hits_total", "Number L1 data cache read hits"),
    (TYPE_HW_CACHE, _cache(0, 0, 1), "node_perf_cache_l1d_read_misses_total", "Number L1 data cache read misses"),
    (TYPE_HW_CACHE, _cache(0, 1, 0), "node_perf_cache_l1d_write_hits_total", "Number L1 data cache write hits"),
    (TYPE_HW_CACHE, _cache(1, 0, 1), "node_perf_cache_l1_instr_read_misses_total",
     "Number instruction L1 instruction read misses"),
    (TYPE_HW_CACHE, _cache(4, 0, 0), "node_perf_cache_tlb_instr_read_hits_total", "Number instruction TLB read hits"),
    (TYPE_HW_CACHE, _cache(4, 0, 1), "node_perf_cache_tlb_instr_read_misses_total",
     "Number instruction TLB read misses"),
    (TYPE_HW_CACHE, _cache(2, 0, 0), "node_perf_cache_ll_read_hits_total", "Number last level read hits"),
    (TYPE_HW_CACHE, _cache(2, 0, 1), "node_perf_cache_ll_read_misses_total", "Number last level read misses"),
    (TYPE_HW_CACHE, _cache(2, 1, 0), "node_perf_cache_ll_write_hits_total", "Number last level write hits"),
    (TYPE_HW_CACHE, _cache(2, 1, 1), "node_perf_cache_ll_write_misses_total", "Number last level write misses"),
    (TYPE_HW_CACHE, _cache(5, 0, 0), "node_perf_cache_bpu_read_hits_total", "Number BPU read hits"),
    (TYPE_HW_CACHE, _cache(5, 0, 1), "node_perf_cache_bpu_read_misses_total", "Number BPU read misses"),
)
TRACEFS = ("/sys/kernel/tracing", "/sys/kernel/debug/tracing")


def parse_cpus(_ctx, _param, value: str) -> list[int] | None:
    """Go's --collector.perf.cpus syntax: '0,2-4' or strides '1-10:5' (1, 6)."""
    if not value:
        return None
    cpus = []
    try:
        for subset in value.split(","):
            if "-" not in subset:
                cpus.append(int(subset))
                continue
            span, _, stride = subset.partition(":")
            bounds = span.split("-")
            if len(bounds) != 2:
                raise ValueError
            cpus.extend(range(int(bounds[0]), int(bounds[1]) + 1, int(stride) if stride else 1))
    except ValueError as exc:
        raise click.BadParameter(f"invalid flag value {value!r}") from exc
    return cpus


def parse_tracepoints(_ctx, _param, values: tuple[str, ...]) -> list[tuple[str, str]]:
    found = []
    for value in values:
        subsystem, sep, event = value.partition(":")
        if not sep or not subsystem or not event or ":" in event:
            raise click.BadParameter(f"invalid tracepoint config {value!r}")
        found.append((subsystem, event))
    return found


def perf_event_open(kind: int, config: int, cpu: int) -> int:
    """A counting event for every process on one CPU; its fd (OSError when refused)."""
    number = SYSCALL_NUMBERS.get(platform.machine())
    if number is None:
        raise OSError(errno.ENOSYS, f"perf_event_open: unknown syscall number on {platform.machine()}")
    attr = ctypes.create_string_buffer(ATTR_HEAD.pack(kind, ATTR_SIZE, config, 0, 0, FORMAT_TIMES, EXCLUDE_HV)
                                       + b"\0" * (ATTR_SIZE - ATTR_HEAD.size))
    fd = LIBC.syscall(ctypes.c_long(number), attr, ctypes.c_int(-1), ctypes.c_int(cpu), ctypes.c_int(-1),
                      ctypes.c_ulong(FLAG_FD_CLOEXEC))
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"perf_event_open: {os.strerror(err)}")
    return fd


def tracepoint_id(subsystem: str, event: str) -> int:
    for root in TRACEFS:
        try:
            with open(os.path.join(root, "events", subsystem, event, "id"), "rb") as handle:
                return int(handle.read())
        except FileNotFoundError:
            continue
    raise OSError(errno.ENOENT, f"tracepoint {subsystem}:{event} not found under {' or '.join(TRACEFS)}")


@register
class PerfCollector(Collector):
    name = "perf"
    enabled_by_default = False
    CPUS = Option("--collector.perf.cpus", "perf_cpus", None,
                  help="List of CPUs from which perf metrics should be collected", parse=parse_cpus, flag_default="")
    TRACEPOINT = Option("--collector.perf.tracepoint", "perf_tracepoint", (),
                        help="perf tracepoint that should be collected", parse=parse_tracepoints, multiple=True)

    def __init__(self, ctx: Context) -> None:
        self.cpus = self.CPUS.read(ctx.options) or list(range(os.cpu_count() or 1))
        self.events: list[tuple[str, str, int, int, bool]] = []  # metric, help, cpu, fd, is tracepoint
        self.error: OSError | None = None
        self.tracepoint_error: OSError | None = None
        for kind, config, name, help_text in EVENTS:
            for cpu in self.cpus:
                self._open(kind, config, name, help_text, cpu, False)
        for subsystem, event in self.TRACEPOINT.read(ctx.options):
            try:
                config = tracepoint_id(subsystem, event)
            except OSError as exc:
                self.tracepoint_error = exc
                continue
            name = f"node_perf_{subsystem}_{event}"  # the name comes from the flag's SUBSYSTEM:EVENT
            for cpu in self.cpus:
                self._open(TYPE_TRACEPOINT, config, name, f"Perf tracepoint {subsystem}:{event}", cpu, True)

    def _open(self, kind: int, config: int, name: str, help_text: str, cpu: int, tracepoint: bool) -> None:
        try:
            fd = perf_event_open(kind, config, cpu)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):
                self.error = exc
            else:  # the CPU, PMU or hypervisor lacks this event: Go skips it too
                log.debug("perf event not supported", extra={"event": name, "cpu": cpu, "err": str(exc)})
            return
        self.events.append((name, help_text, cpu, fd, tracepoint))

    def update(self):
        if self.tracepoint_error is not None:  # Go refuses to build the collector then
            raise self.tracepoint_error
        if not self.events:
            raise NoDataError(f"no perf event could be opened: {self.error}")
        families: dict[str, Family] = {}
        for name, help_text, cpu, fd, tracepoint in self.events:
            value = READING.unpack(os.read(fd, READING.size))[0]
            family = families.get(name)
            if family is None:
                # Go names tracepoints without _total and types them counters: raw_counter() serves them so.
                family = families[name] = (raw_counter if tracepoint else counter)(name, help_text, ["cpu"])
            family.add_metric([str(cpu)], float(value))
        yield from families.values()

    def __del__(self) -> None:
        for _, _, _, fd, _ in getattr(self, "events", ()):
            with contextlib.suppress(OSError):
                os.close(fd)
