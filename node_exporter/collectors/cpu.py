"""node_cpu_seconds_total and node_cpu_guest_seconds_total from /proc/stat, plus what Go's cpu collector adds:
node_cpu_info / _flag_info / _bug_info from /proc/cpuinfo (--collector.cpu.info), thermal throttle counters and
isolated CPUs from sysfs."""

from __future__ import annotations

import glob
import logging
import os
import re
import threading

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, Context, register
from node_exporter.options import regex
from node_exporter.paths import read_opt_text, read_text

USER_HZ = 100.0  # the kernel reports /proc/stat in USER_HZ ticks, 100 on every Linux architecture
MODES = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
GUEST_MODES = ("user", "nice")  # /proc/stat columns 9 and 10: guest, guest_nice
# An idle counter falling by more than this means the CPU was hot-plugged: start its history afresh.
JUMP_BACK_SECONDS = 3.0

log = logging.getLogger(__name__)


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


CPUINFO_LABELS = ["package", "core", "cpu", "vendor", "family", "model", "model_name", "microcode", "stepping",
                  "cachesize"]
# /proc/cpuinfo key -> node_cpu_info label
CPUINFO_KEYS = {"physical id": "package", "core id": "core", "processor": "cpu", "vendor_id": "vendor",
                "cpu family": "family", "model": "model", "model name": "model_name", "microcode": "microcode",
                "stepping": "stepping", "cache size": "cachesize", "flags": "flags", "bugs": "bugs"}
CPU_DIR = re.compile(r"cpu(\d+)$")


def parse_cpuinfo(text: str) -> list[dict[str, str]]:
    """One dict per processor block of /proc/cpuinfo, keyed by node_cpu_info label (plus flags and bugs)."""
    cpus: list[dict[str, str]] = []
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == "processor":
            cpus.append({})
        if cpus and key in CPUINFO_KEYS:
            cpus[-1][CPUINFO_KEYS[key]] = value
    return cpus


def parse_cpu_list(text: str) -> list[int]:
    """'1,3-5,9' (the kernel's cpulist format) -> [1, 3, 4, 5, 9]."""
    cpus: list[int] = []
    for part in text.strip().split(","):
        if not part:
            continue
        first, sep, last = part.partition("-")
        cpus.extend(range(int(first), int(last) + 1) if sep else [int(first)])
    return cpus


def _read_uint(path: str) -> int | None:
    text = read_opt_text(path)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


@register
class CPUCollector(Collector):
    name = "cpu"
    GUEST = Option("--collector.cpu.guest", "cpu_guest", True, help="Enables metric node_cpu_guest_seconds_total",
                   is_flag=True)
    INFO = Option("--collector.cpu.info", "cpu_info", False, help="Enables metric cpu_info", is_flag=True)
    INFO_FLAGS_INCLUDE = regex("--collector.cpu.info.flags-include", "cpu_info_flags_include", None,
                               "Filter the `flags` field in cpuInfo with a value that must be a regular expression")
    INFO_BUGS_INCLUDE = regex("--collector.cpu.info.bugs-include", "cpu_info_bugs_include", None,
                              "Filter the `bugs` field in cpuInfo with a value that must be a regular expression")

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.guest = self.GUEST.read(ctx.options)
        self.flags_include: re.Pattern | None = self.INFO_FLAGS_INCLUDE.read(ctx.options)
        self.bugs_include: re.Pattern | None = self.INFO_BUGS_INCLUDE.read(ctx.options)
        self.info = bool(self.INFO.read(ctx.options))
        if (self.flags_include or self.bugs_include) and not self.info:
            log.info("--collector.cpu.info has been set to `true` because you set the following flags, like "
                     "--collector.cpu.info.flags-include and --collector.cpu.info.bugs-include")
            self.info = True
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

    def _info(self):
        cpus = parse_cpuinfo(read_text(self.paths.proc("cpuinfo")))
        info = gauge("node_cpu_info", "CPU information from /proc/cpuinfo.", labels=CPUINFO_LABELS)
        for cpu in cpus:
            info.add_metric([cpu.get(label, "") for label in CPUINFO_LABELS], 1.0)
        if not cpus:
            return
        yield info
        for pattern, field, name, label in (
                (self.flags_include, "flags", "node_cpu_flag_info", "flag"),
                (self.bugs_include, "bugs", "node_cpu_bug_info", "bug")):
            if pattern is None:
                continue
            family = gauge(name, f"The `{field}` field of CPU information from /proc/cpuinfo taken from the first "
                                 "core.", labels=[label])
            for value in dict.fromkeys(cpus[0].get(field, "").split()):
                if pattern.search(value):
                    family.add_metric([value], 1.0)
            if family.rows:
                yield family

    def _isolated(self):
        text = read_opt_text(self.paths.sys("devices", "system", "cpu", "isolated"))
        if text is None:
            return
        family = gauge("node_cpu_isolated",
                       "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.",
                       labels=["cpu"])
        for cpu in parse_cpu_list(text):
            family.add_metric([str(cpu)], 1.0)
        if family.rows:
            yield family

    def _throttles(self):
        """Thermal throttle counts, read once per core and once per package (sibling threads share them)."""
        packages: dict[int, int] = {}
        cores: dict[tuple[int, int], int] = {}
        for directory in sorted(glob.glob(self.paths.sys("devices", "system", "cpu", "cpu[0-9]*"))):
            if not CPU_DIR.search(directory):
                continue
            package = _read_uint(os.path.join(directory, "topology", "physical_package_id"))
            core = _read_uint(os.path.join(directory, "topology", "core_id"))
            if package is None or core is None:
                continue
            if (package, core) not in cores:
                count = _read_uint(os.path.join(directory, "thermal_throttle", "core_throttle_count"))
                if count is not None:
                    cores[package, core] = count
            if package not in packages:
                count = _read_uint(os.path.join(directory, "thermal_throttle", "package_throttle_count"))
                if count is not None:
                    packages[package] = count
        core_family = counter("node_cpu_core_throttles_total", "Number of times this CPU core has been throttled.",
                              labels=["package", "core"])
        for (package, core), count in sorted(cores.items()):
            core_family.add_metric([str(package), str(core)], float(count))
        package_family = counter("node_cpu_package_throttles_total",
                                 "Number of times this CPU package has been throttled.", labels=["package"])
        for package, count in sorted(packages.items()):
            package_family.add_metric([str(package)], float(count))
        yield from (family for family in (core_family, package_family) if family.rows)

    def update(self):
        if self.info:
            yield from self._info()
        yield from self._isolated()
        yield from self._throttles()
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
