"""The rapl collector (node_exporter/collectors/rapl.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.rapl import RaplCollector
from tests.unit.node.helpers import make, samples, write


def test_rapl_absent_is_no_data_zone_label_flag_and_repeated_zone_names(tmp_path):
    with pytest.raises(NoDataError):
        list(make(RaplCollector, tmp_path).update())
    write(tmp_path, "sys/class/powercap/intel-rapl/enabled", "1\n")
    for zone, name, energy in (("intel-rapl:0", "package-1", 2_000_000), ("intel-rapl:0:0", "dram", 1_000_000),
                               ("intel-rapl:1:0", "dram", 3_000_000)):
        write(tmp_path, f"sys/class/powercap/{zone}/name", name + "\n")
        write(tmp_path, f"sys/class/powercap/{zone}/energy_uj", f"{energy}\n")
    root = tmp_path / "sys/class/powercap"
    got = samples(make(RaplCollector, tmp_path).update())
    assert got[("node_rapl_package_joules_total", "1", f"{root}/intel-rapl:0")] == 2.0
    assert got[("node_rapl_dram_joules_total", "0", f"{root}/intel-rapl:0:0")] == 1.0
    assert got[("node_rapl_dram_joules_total", "1", f"{root}/intel-rapl:1:0")] == 3.0
    labelled = make(RaplCollector, tmp_path, rapl_enable_zone_label=True).update()
    got = samples(labelled)
    assert got[("node_rapl_joules_total", "1", f"{root}/intel-rapl:1:0", "dram")] == 3.0
    assert len(got) == 3
