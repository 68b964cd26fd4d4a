"""The edac collector (node_exporter/collectors/edac.py)."""

from __future__ import annotations

from node_exporter.collectors.edac import EdacCollector
from tests.unit.node.helpers import make


def test_edac_without_controllers_reports_nothing(tmp_path):
    (tmp_path / "sys/devices/system/edac/mc").mkdir(parents=True)
    assert list(make(EdacCollector, tmp_path).update()) == []
