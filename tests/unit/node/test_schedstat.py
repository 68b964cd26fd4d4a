"""The schedstat collector (node_exporter/collectors/schedstat.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.schedstat import SchedstatCollector
from tests.unit.node.helpers import make, samples, write


def test_schedstat_absent_is_no_data_and_domain_lines_are_ignored(tmp_path):
    with pytest.raises(NoDataError):
        list(make(SchedstatCollector, tmp_path).update())
    write(tmp_path, "proc/schedstat", "version 15\ncpu3 0 0 0 0 0 0 2500000000 500000000 7\ndomain0 3 1 2 3\n")
    got = samples(make(SchedstatCollector, tmp_path).update())
    assert got == {("node_schedstat_running_seconds_total", "3"): 2.5,
                   ("node_schedstat_waiting_seconds_total", "3"): 0.5,
                   ("node_schedstat_timeslices_total", "3"): 7.0}
