"""The cpu collector (node_exporter/collectors/cpu.py)."""

from __future__ import annotations

import re

from node_exporter.collector import Context
from node_exporter.collectors.cpu import CPUCollector, parse_cpu_list
from node_exporter.paths import Paths
from tests.unit.node.helpers import make, names, samples, samples_by_family_name, write


def write_stat(proc, user: int, idle: int, iowait: int) -> None:
    (proc / "stat").write_text(f"cpu  {user} 0 0 {idle} {iowait} 0 0 0 0 0\n"
                               f"cpu0 {user} 0 0 {idle} {iowait} 0 0 0 0 0\nintr 1\n")


def test_cpu_counters_never_go_backwards_but_hotplug_resets(tmp_path):
    collector = CPUCollector(Context(paths=Paths(procfs=str(tmp_path)), options={"cpu_guest": False}))
    write_stat(tmp_path, user=1000, idle=50000, iowait=300)
    first = samples_by_family_name(collector.update())
    write_stat(tmp_path, user=1100, idle=50100, iowait=250)  # iowait stepping back, as the kernel does
    second = samples_by_family_name(collector.update())
    assert second[("node_cpu_seconds", "0", "iowait")] == first[("node_cpu_seconds", "0", "iowait")] == 3.0
    assert second[("node_cpu_seconds", "0", "user")] == 11.0
    write_stat(tmp_path, user=10, idle=100, iowait=1)  # idle fell by far more than 3 s: CPU was replugged
    third = samples_by_family_name(collector.update())
    assert third[("node_cpu_seconds", "0", "idle")] == 1.0
    assert third[("node_cpu_seconds", "0", "iowait")] == 0.01


CPUINFO = ("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 33\n"
           "model name\t: AMD Ryzen\nstepping\t: 0\nmicrocode\t: 0xa201016\ncache size\t: 512 KB\n"
           "physical id\t: 0\ncore id\t\t: 0\nflags\t\t: fpu sse avx avx2 aes\n"
           "bugs\t\t: sysret_ss_attrs spectre_v1\n\n")


def test_cpu_info_only_with_the_flag_and_flag_filters_apply(tmp_path):
    write(tmp_path, "proc/stat", "cpu  1 0 0 1 0 0 0 0 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\n")
    write(tmp_path, "proc/cpuinfo", CPUINFO)
    plain = names(make(CPUCollector, tmp_path).update())
    assert "node_cpu_info" not in plain and "node_cpu_flag_info" not in plain
    # A filter alone turns --collector.cpu.info on, as Go does.
    result = samples(make(CPUCollector, tmp_path, cpu_info_flags_include=re.compile("^avx")).update())
    assert {key[1] for key in result if key[0] == "node_cpu_flag_info"} == {"avx", "avx2"}
    assert ("node_cpu_info", "0", "0", "0", "AuthenticAMD", "25", "33", "AMD Ryzen", "0xa201016", "0",
            "512 KB") in result
    assert not any(key[0] == "node_cpu_bug_info" for key in result)


def test_cpu_isolated_list_and_missing_file(tmp_path):
    assert parse_cpu_list("0-2,7\n") == [0, 1, 2, 7]
    write(tmp_path, "proc/stat", "cpu  1 0 0 1 0 0 0 0 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\n")
    assert "node_cpu_isolated" not in names(make(CPUCollector, tmp_path).update())
