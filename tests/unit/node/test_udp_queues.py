"""The udp_queues collector (node_exporter/collectors/udp_queues.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.udp_queues import UdpQueuesCollector
from tests.unit.node.helpers import make, samples, write

UDP = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
       "   0: 00000000:0016 00000000:0000 07 00000010:00000001 00:00000000 00000000     0        0 1 2\n"
       "   1: 00000000:0017 00000000:0000 07 00000001:00000002 00:00000000 00000000     0        0 1 2\n")


def test_udp_queues_sum_sockets_and_missing_files(tmp_path):
    with pytest.raises(NoDataError):
        list(make(UdpQueuesCollector, tmp_path).update())
    write(tmp_path, "proc/net/udp", UDP)
    got = samples(make(UdpQueuesCollector, tmp_path).update())
    assert got == {("node_udp_queues", "tx", "v4"): 17.0, ("node_udp_queues", "rx", "v4"): 3.0}  # no udp6: v4 only
