"""The hwmon collector (node_exporter/collectors/hwmon.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.hwmon import HwmonCollector
from tests.unit.node.helpers import make, samples, write


def test_hwmon_units_and_absent_class(tmp_path):
    with pytest.raises(NoDataError):
        list(make(HwmonCollector, tmp_path).update())
    write(tmp_path, "sys/class/hwmon/hwmon0/name", "acpitz\n")
    write(tmp_path, "sys/class/hwmon/hwmon0/power1_input", "2500000\n")
    write(tmp_path, "sys/class/hwmon/hwmon0/curr1_input", "1500\n")
    write(tmp_path, "sys/class/hwmon/hwmon0/temp1_input", "garbage\n")  # unparsable: skipped, not fatal
    result = samples(make(HwmonCollector, tmp_path).update())
    assert result[("node_hwmon_power_watt", "acpitz", "power1")] == 2.5
    assert result[("node_hwmon_curr_amps", "acpitz", "curr1")] == 1.5
    assert result[("node_hwmon_chip_names", "acpitz", "acpitz")] == 1.0
    assert not any(key[0] == "node_hwmon_temp_celsius" for key in result)
