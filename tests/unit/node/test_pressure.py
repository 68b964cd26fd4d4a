"""The pressure collector (node_exporter/collectors/pressure.py)."""

from __future__ import annotations

from exporter_toolkit.exposition import render_text
from node_exporter.collectors.pressure import PressureCollector
from tests.unit.node.helpers import make, samples, write


def test_pressure_value_is_gos_float(tmp_path):
    for resource in ("cpu", "io", "memory"):
        write(tmp_path, f"proc/pressure/{resource}",
              "some avg10=0.00 avg60=0.00 avg300=0.00 total=14036781\n")
    result = samples(make(PressureCollector, tmp_path).update())
    value = result[("node_pressure_cpu_waiting_seconds_total",)]
    assert value == 14036781 / 1000.0 / 1000.0 != 14036781 / 1e6
    assert b"node_pressure_cpu_waiting_seconds_total 14.036781000000001" in render_text(
        make(PressureCollector, tmp_path).update())
