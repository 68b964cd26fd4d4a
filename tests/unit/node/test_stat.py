"""The stat collector (node_exporter/collectors/stat.py)."""

from __future__ import annotations

from node_exporter.collectors.stat import StatCollector
from tests.unit.node.helpers import make, names, samples, write


def test_stat_softirqs_only_with_the_flag(tmp_path):
    write(tmp_path, "proc/stat", "intr 10\nctxt 5\nbtime 100\nprocesses 7\nprocs_running 1\nprocs_blocked 0\n"
                                 "softirq 30 1 2 3 4 5 6 7 8 9 10\n")
    assert "node_softirqs_total" not in names(make(StatCollector, tmp_path).update())
    result = samples(make(StatCollector, tmp_path, stat_softirq=True).update())
    assert result[("node_softirqs_total", "hi")] == 1.0
    assert result[("node_softirqs_total", "rcu")] == 10.0
    assert not any(key == ("node_softirqs_total", "total") for key in result)
