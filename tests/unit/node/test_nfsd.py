"""The nfsd collector (node_exporter/collectors/nfsd.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.nfs import NfsCollector
from node_exporter.collectors.nfsd import NfsdCollector
from tests.unit.node.helpers import make, scrape, write


def test_nfsd_absent_is_no_data_and_a_malformed_line_fails_only_nfsd(tmp_path):
    with pytest.raises(NoDataError):
        list(make(NfsdCollector, tmp_path).update())
    write(tmp_path, "proc/net/rpc/nfsd", "rc 0 6\nth 8 0\n")  # the reply cache line needs three values
    write(tmp_path, "proc/net/rpc/nfs", "net 1 2 3 4\nrpc 5 6 7\n")
    result = scrape({"nfsd": make(NfsdCollector, tmp_path), "nfs": make(NfsCollector, tmp_path)})
    assert result[("node_scrape_collector_success", "nfsd")] == 0.0
    assert result[("node_scrape_collector_success", "nfs")] == 1.0
