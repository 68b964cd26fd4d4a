"""The fibrechannel collector (node_exporter/collectors/fibrechannel.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.fibrechannel import FibrechannelCollector
from tests.unit.node.helpers import make, samples, write


def test_fibrechannel_skips_unavailable_counters_and_absent_class_is_no_data(tmp_path):
    with pytest.raises(NoDataError):
        list(make(FibrechannelCollector, tmp_path).update())
    write(tmp_path, "sys/class/fc_host/host1/port_name", "0x10\n")
    write(tmp_path, "sys/class/fc_host/host1/statistics/dumped_frames", "0xffffffffffffffff\n")
    write(tmp_path, "sys/class/fc_host/host1/statistics/error_frames", "0x2\n")
    result = samples(make(FibrechannelCollector, tmp_path).update())
    assert result[("node_fibrechannel_error_frames_total", "host1")] == 2.0
    assert not any(key[0] == "node_fibrechannel_dumped_frames_total" for key in result)
