"""The infiniband collector (node_exporter/collectors/infiniband.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.infiniband import InfinibandCollector
from tests.unit.node.helpers import make, write


def test_infiniband_absent_is_no_data_and_bad_rate_fails(tmp_path):
    with pytest.raises(NoDataError):
        list(make(InfinibandCollector, tmp_path).update())
    write(tmp_path, "sys/class/infiniband/mlx5_0/ports/1/rate", "fast\n")
    with pytest.raises(ValueError):
        list(make(InfinibandCollector, tmp_path).update())
