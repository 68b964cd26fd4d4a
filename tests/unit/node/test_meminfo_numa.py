"""The meminfo_numa collector (node_exporter/collectors/meminfo_numa.py)."""

from __future__ import annotations

import pytest

from node_exporter.collectors.meminfo_numa import MeminfoNumaCollector
from tests.unit.node.helpers import make, write


def test_meminfo_numa_without_nodes_is_an_empty_success_and_bad_units_fail(tmp_path):
    (tmp_path / "sys/devices/system/node").mkdir(parents=True)
    assert list(make(MeminfoNumaCollector, tmp_path).update()) == []
    write(tmp_path, "sys/devices/system/node/node0/meminfo", "Node 0 MemTotal: 1 MB\n")
    write(tmp_path, "sys/devices/system/node/node0/numastat", "numa_hit 1\n")
    with pytest.raises(ValueError):
        list(make(MeminfoNumaCollector, tmp_path).update())
