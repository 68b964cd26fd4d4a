"""node_cpu_seconds_total and node_cpu_guest_seconds_total from /proc/stat."""

from __future__ import annotations

import logging
import threading

import click

from exporter_toolkit.families import counter
from node_exporter.collector import Context, register
from node_exporter.paths import read_text

USER_HZ = 100.0  # the kernel reports /proc/stat in USER_HZ ticks, 100 on every Linux architecture
MODES = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
GUEST_MODES = ("user", "nice")  # /proc/stat columns 9 and 10: guest, guest_nice
# An idle counter falling by more than this means the CPU was hot-plugged: start its history afresh.
JUMP_BACK_SECONDS = 3.0

log = logging.getLogger("node_exporter.cpu")


def parse_cpu_lines(text: str) -> dict[str, list[float]]:
    """Per-CPU seconds for the 10 /proc/stat columns, keyed by CPU number as a string."""
    result = {}
    for line in text.splitlines():
        if not line.startswith("cpu"):
            break
        name, *values = line.split()
        if name == "cpu":
            continue
        seconds = [int(v) / USER_HZ for v in values[:10]]
        seconds.extend([0.0] * (10 - len(seconds)))
        result[name[3:]] = seconds
    return result


@register("cpu", options=[
    click.option("--collector.cpu.guest/--no-collector.cpu.guest", "cpu_guest", default=True,
                 help="Enables metric node_cpu_guest_seconds_total"),
])
class CPUCollector:
    def __init__(self, ctx: Context) -> None:
        self.paths = ctx.paths
        self.guest = ctx.options.get("cpu_guest", True)
        self._last: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _monotonic(self, current: dict[str, list[float]]) -> dict[str, list[float]]:
        """Counters in /proc/stat can step backwards (iowait notably); keep them from going down."""
        with self._lock:
            merged = {}
            for cpu, values in current.items():
                previous = self._last.get(cpu)
                if previous is None or previous[3] - values[3] >= JUMP_BACK_SECONDS:
                    merged[cpu] = values
                    continue
                merged[cpu] = [max(new, old) for new, old in zip(values, previous, strict=True)]
            self._last = merged
            return merged

    def update(self):
        stats = self._monotonic(parse_cpu_lines(read_text(self.paths.proc("stat"))))
        seconds = counter("node_cpu_seconds_total", "Seconds the CPUs spent in each mode.",
                                      labels=["cpu", "mode"])
        for cpu, values in stats.items():
            for mode, value in zip(MODES, values, strict=False):
                seconds.add_metric([cpu, mode], value)
        yield seconds
        if self.guest:
            guest = counter("node_cpu_guest_seconds_total",
                                        "Seconds the CPUs spent in guests (VMs) for each mode.",
                                        labels=["cpu", "mode"])
            for cpu, values in stats.items():
                guest.add_metric([cpu, "user"], values[8])
                guest.add_metric([cpu, "nice"], values[9])
            yield guest
