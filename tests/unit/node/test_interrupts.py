"""The interrupts collector (node_exporter/collectors/interrupts.py)."""

from __future__ import annotations

from node_exporter.collectors.interrupts import InterruptsCollector
from tests.unit.node.helpers import make, samples, write


def test_interrupts_single_count_lines_are_skipped(tmp_path):
    write(tmp_path, "proc/interrupts", "      CPU0  CPU1\n 0:  5  6  IO-APIC  2-edge  timer\nERR:  3\n")
    assert samples(make(InterruptsCollector, tmp_path).update()) == {
        ("node_interrupts_total", "0", "0", "IO-APIC", "2-edge timer"): 5.0,
        ("node_interrupts_total", "1", "0", "IO-APIC", "2-edge timer"): 6.0}
