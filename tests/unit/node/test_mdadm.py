"""The mdadm collector (node_exporter/collectors/mdadm.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.mdadm import MdadmCollector
from tests.unit.node.helpers import make, write


def test_mdadm_absent_is_no_data_and_empty_mdstat_reports_nothing(tmp_path):
    with pytest.raises(NoDataError):
        list(make(MdadmCollector, tmp_path).update())
    write(tmp_path, "proc/mdstat", "Personalities : \nunused devices: <none>\n")
    assert list(make(MdadmCollector, tmp_path).update()) == []
