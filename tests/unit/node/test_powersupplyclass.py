"""The powersupplyclass collector (node_exporter/collectors/powersupplyclass.py)."""

from __future__ import annotations

import re

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.powersupplyclass import PowerSupplyClassCollector
from tests.unit.node.helpers import make, samples, write


def test_power_supply_units_and_ignored_supplies_flag(tmp_path):
    with pytest.raises(NoDataError):
        list(make(PowerSupplyClassCollector, tmp_path).update())
    write(tmp_path, "sys/class/power_supply/BAT1/temp", "315\n")  # tenths of a degree
    write(tmp_path, "sys/class/power_supply/BAT1/current_now", "1500000\n")  # µA
    write(tmp_path, "sys/class/power_supply/BAT1/status", "Charging\n")
    write(tmp_path, "sys/class/power_supply/AC/online", "1\n")
    got = samples(make(PowerSupplyClassCollector, tmp_path).update())
    assert got[("node_power_supply_temp_celsius", "BAT1")] == 31.5
    assert got[("node_power_supply_current_ampere", "BAT1")] == 1.5
    assert got[("node_power_supply_info", ("power_supply", "BAT1"), ("status", "Charging"))] == 1.0
    assert got[("node_power_supply_info", ("power_supply", "AC"))] == 1.0
    ignored = samples(make(PowerSupplyClassCollector, tmp_path,
                           powersupply_ignored_supplies=re.compile("^AC$")).update())
    assert ("node_power_supply_online", "AC") not in ignored
    assert ("node_power_supply_temp_celsius", "BAT1") in ignored
