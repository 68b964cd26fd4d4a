"""The xfs collector (node_exporter/collectors/xfs.py)."""

from __future__ import annotations

import pytest

from node_exporter.collectors.xfs import XfsCollector
from tests.unit.node.helpers import make, samples, write


def test_xfs_without_filesystems_reports_nothing_and_wrong_width_fails(tmp_path):
    assert list(make(XfsCollector, tmp_path).update()) == []
    write(tmp_path, "sys/fs/xfs/dm-0/stats/stats", "rw 5 6\n")
    got = samples(make(XfsCollector, tmp_path).update())
    assert got[("node_xfs_write_calls_total", "dm-0")] == 5
    assert got[("node_xfs_vnode_active_total", "dm-0")] == 0  # line absent: zero, as Go's zero-valued struct
    write(tmp_path, "sys/fs/xfs/dm-0/stats/stats", "rw 5\n")
    with pytest.raises(ValueError, match="incorrect number of values"):
        list(make(XfsCollector, tmp_path).update())
