"""The nfs collector (node_exporter/collectors/nfs.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.nfs import NfsCollector
from tests.unit.node.helpers import make, samples, write


def test_nfs_absent_is_no_data_and_short_v4_lines_are_zero_padded(tmp_path):
    with pytest.raises(NoDataError):
        list(make(NfsCollector, tmp_path).update())
    write(tmp_path, "proc/net/rpc/nfs", "net 1 2 3 4\nrpc 5 6 7\nproc4 3 11 12 13\n")
    got = samples(make(NfsCollector, tmp_path).update())
    assert got[("node_nfs_requests_total", "4", "Write")] == 13
    assert got[("node_nfs_requests_total", "4", "Clone")] == 0  # older kernel: fewer operations
    assert got[("node_nfs_requests_total", "3", "Commit")] == 0  # no proc3 line at all
    assert got[("node_nfs_rpc_retransmissions_total",)] == 6
