"""The zfs collector (node_exporter/collectors/zfs.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.zfs import ZfsCollector
from tests.unit.node.helpers import make, samples, write


def test_zfs_absent_is_no_data_and_negative_int64_fails_as_in_go(tmp_path):
    with pytest.raises(NoDataError):
        list(make(ZfsCollector, tmp_path).update())
    kstat = "6 1 0x01 2 96 1 2\nname                            type data\n"
    write(tmp_path, "proc/spl/kstat/zfs/arcstats", kstat + "hits 4 10\nc-max 4 3\nname 7 text\n")
    write(tmp_path, "proc/spl/kstat/zfs/tank/state", "SUSPENDED\n")
    got = samples(make(ZfsCollector, tmp_path).update())
    assert got[("node_zfs_arc_hits",)] == 10
    assert got[("node_zfs_arc_c_max",)] == 3  # dashes become underscores; string kstats are skipped
    assert got[("node_zfs_zpool_state", "tank", "online")] == 0  # Go 1.5 has no "suspended" state
    write(tmp_path, "proc/spl/kstat/zfs/dmu_tx", kstat + "dmu_tx_delta 3 -5\n")
    with pytest.raises(ValueError, match="dmu_tx_delta"):
        list(make(ZfsCollector, tmp_path).update())
