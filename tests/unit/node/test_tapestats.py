"""The tapestats collector (node_exporter/collectors/tapestats.py)."""

from __future__ import annotations

import re

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.tapestats import TapestatsCollector
from tests.unit.node.helpers import make, samples, write


def test_tapestats_counts_only_st_nodes_and_the_ignore_flag(tmp_path):
    with pytest.raises(NoDataError):
        list(make(TapestatsCollector, tmp_path).update())
    for device in ("st0", "st1"):
        for name in ("in_flight", "io_ns", "other_cnt", "read_byte_cnt", "read_cnt", "read_ns", "resid_cnt",
                     "write_byte_cnt", "write_cnt", "write_ns"):
            write(tmp_path, f"sys/class/scsi_tape/{device}/stats/{name}", "2000000000\n")
    (tmp_path / "sys/class/scsi_tape/nst0").mkdir()  # the no-rewind alias of st0: no stats of its own
    got = samples(make(TapestatsCollector, tmp_path).update())
    assert got[("node_tape_io_time_seconds_total", "st0")] == 2.0
    assert {key[1] for key in got} == {"st0", "st1"}
    ignored = samples(make(TapestatsCollector, tmp_path, tapestats_ignored_devices=re.compile("st1")).update())
    assert {key[1] for key in ignored} == {"st0"}
