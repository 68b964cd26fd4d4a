"""The nvme collector (node_exporter/collectors/nvme.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.nvme import NvmeCollector
from tests.unit.node.helpers import make, samples, write


def test_nvme_absent_class_is_no_data_and_values_are_trimmed(tmp_path):
    with pytest.raises(NoDataError):
        list(make(NvmeCollector, tmp_path).update())
    for name, value in (("model", "Disk   \n"), ("firmware_rev", "F1\n"), ("serial", " S1\n"), ("state", "live\n")):
        write(tmp_path, f"sys/class/nvme/nvme1/{name}", value)
    got = samples(make(NvmeCollector, tmp_path).update())
    assert got == {("node_nvme_info", "nvme1", "F1", "Disk", "S1", "live"): 1.0}
