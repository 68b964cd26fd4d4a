"""The drbd collector (node_exporter/collectors/drbd.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.drbd import DrbdCollector
from tests.unit.node.helpers import make, samples, write


def test_drbd_absent_is_no_data_and_peer_states_are_separate(tmp_path):
    with pytest.raises(NoDataError):
        list(make(DrbdCollector, tmp_path).update())
    write(tmp_path, "proc/drbd", "version: 8.4.3\n 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown\n"
                                 "    ns:2 nr:3 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n")
    result = samples(make(DrbdCollector, tmp_path).update())
    assert result[("node_drbd_connected", "drbd0")] == 0.0
    assert result[("node_drbd_node_role_is_primary", "drbd0", "local")] == 1.0
    assert result[("node_drbd_node_role_is_primary", "drbd0", "remote")] == 0.0
    assert result[("node_drbd_network_sent_bytes_total", "drbd0")] == 2048.0
    assert result[("node_drbd_network_received_bytes_total", "drbd0")] == 3.0  # Go does not scale 'nr'
