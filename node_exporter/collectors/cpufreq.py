"""node_cpu_frequency_* and node_cpu_scaling_frequency_*: per-CPU clock limits from sysfs cpufreq (kHz -> Hz)."""

from __future__ import annotations

import glob
import os
import re

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_opt_text

CPU_DIR = re.compile(r"cpu(\d+)$")
# cpufreq file -> (metric, HELP)
FILES = (
    ("cpuinfo_cur_freq", "node_cpu_frequency_hertz", "Current CPU thread frequency in hertz."),
    ("cpuinfo_max_freq", "node_cpu_frequency_max_hertz", "Maximum CPU thread frequency in hertz."),
    ("cpuinfo_min_freq", "node_cpu_frequency_min_hertz", "Minimum CPU thread frequency in hertz."),
    ("scaling_cur_freq", "node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz."),
    ("scaling_max_freq", "node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz."),
    ("scaling_min_freq", "node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz."),
)


@register
class CpufreqCollector(Collector):
    name = "cpufreq"

    def update(self):
        cpus = []
        for directory in glob.glob(self.paths.sys("devices", "system", "cpu", "cpu[0-9]*")):
            match = CPU_DIR.search(directory)
            if match and os.path.isdir(os.path.join(directory, "cpufreq")):
                cpus.append((int(match.group(1)), os.path.join(directory, "cpufreq")))
        families = [(filename, gauge(name, help_text, labels=["cpu"])) for filename, name, help_text in FILES]
        for number, directory in sorted(cpus):
            for filename, family in families:
                text = read_opt_text(os.path.join(directory, filename))
                if text:  # cpuinfo_cur_freq is root-only; absent files are simply not reported
                    family.add_metric([str(number)], float(int(text)) * 1000.0)
        yield from (family for _, family in families if family.rows)
