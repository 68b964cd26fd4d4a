"""The meminfo collector (node_exporter/collectors/meminfo.py)."""

from __future__ import annotations

from node_exporter.collectors.meminfo import parse_meminfo


def test_meminfo_names_and_units():
    values = parse_meminfo("MemTotal: 2 kB\nActive(anon): 1 kB\nHugePages_Total: 3\n")
    assert values == {"MemTotal_bytes": 2048.0, "Active_anon_bytes": 1024.0, "HugePages_Total": 3.0}
