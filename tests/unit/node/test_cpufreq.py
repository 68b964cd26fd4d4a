"""The cpufreq collector (node_exporter/collectors/cpufreq.py)."""

from __future__ import annotations

from node_exporter.collectors.cpufreq import CpufreqCollector
from tests.unit.node.helpers import make, samples, write


def test_cpufreq_reports_cpuinfo_limits_and_nothing_without_cpufreq(tmp_path):
    write(tmp_path, "sys/devices/system/cpu/cpu0/online", "1\n")
    assert list(make(CpufreqCollector, tmp_path).update()) == []
    write(tmp_path, "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "3600000\n")
    write(tmp_path, "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_min_freq", "400000\n")
    assert samples(make(CpufreqCollector, tmp_path).update()) == {
        ("node_cpu_frequency_max_hertz", "0"): 3.6e9, ("node_cpu_frequency_min_hertz", "0"): 4e8}
