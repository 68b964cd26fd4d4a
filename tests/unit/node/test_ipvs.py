"""The ipvs collector (node_exporter/collectors/ipvs.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.ipvs import IpvsCollector, parse_backend_labels
from tests.unit.node.helpers import make, samples, write

IP_VS = ("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
         "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
         "TCP  C0A80016:0CEA wlc\n  -> C0A85216:0CEA Tunnel 100 248 2\n  -> C0A85318:0CEA Tunnel 50 10 1\n")


def test_ipvs_backend_labels_flag_sums_backends(tmp_path):
    # The flag's parser keeps Go's label order and drops empty and repeated items.
    assert parse_backend_labels(None, None, "proto,,local_address,proto") == ["local_address", "proto"]
    assert parse_backend_labels(None, None, "") == []
    write(tmp_path, "proc/net/ip_vs", IP_VS)
    write(tmp_path, "proc/net/ip_vs_stats", "hdr\nhdr\n 1 2 3 4 5\n")
    result = samples(make(IpvsCollector, tmp_path, ipvs_backend_labels=["local_port"]).update())
    assert result[("node_ipvs_backend_connections_active", "3306")] == 258.0
    assert result[("node_ipvs_backend_weight", "3306")] == 150.0
    assert result[("node_ipvs_connections_total",)] == 1.0


def test_ipvs_absent_is_no_data(tmp_path):
    with pytest.raises(NoDataError):
        list(make(IpvsCollector, tmp_path).update())
