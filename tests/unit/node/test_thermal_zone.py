"""The thermal_zone collector (node_exporter/collectors/thermal_zone.py)."""

from __future__ import annotations

import pytest

from node_exporter.collectors.thermal_zone import ThermalZoneCollector
from tests.unit.node.helpers import make, samples, write


def test_thermal_zone_without_zones_reports_nothing_and_bad_temp_fails(tmp_path):
    assert list(make(ThermalZoneCollector, tmp_path).update()) == []
    write(tmp_path, "sys/class/thermal/thermal_zone3/type", "acpitz\n")
    write(tmp_path, "sys/class/thermal/thermal_zone3/temp", "27800\n")
    assert samples(make(ThermalZoneCollector, tmp_path).update()) == {
        ("node_thermal_zone_temp", "3", "acpitz"): 27.8}
    write(tmp_path, "sys/class/thermal/thermal_zone3/temp", "hot\n")
    with pytest.raises(ValueError):
        list(make(ThermalZoneCollector, tmp_path).update())
