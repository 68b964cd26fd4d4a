"""The runit collector (node_exporter/collectors/runit.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import Context
from node_exporter.collectors.runit import RunitCollector
from tests.node_fakes import (
    write_runit_service,
)
from tests.unit.node.helpers import collect, value


def test_runit_reads_supervise_status_records(tmp_path):
    write_runit_service(str(tmp_path), "web", 1700000000, 4242, "u", 1)
    write_runit_service(str(tmp_path), "backup", 1700000500, 0, "d", 0)
    (tmp_path / "backup" / "supervise" / "down").touch()
    write_runit_service(str(tmp_path), "flappy", 1700000900, 77, "u", 2)
    (tmp_path / "not-a-service").mkdir()  # no supervise/status: skipped
    families = collect(RunitCollector(Context(options={"runit_servicedir": str(tmp_path)})))
    labels = lambda name: {"service": name, "supervisor": "runit"}  # noqa: E731
    assert value(families, "node_service_state", **labels("web")) == 1.0
    assert value(families, "node_service_state", **labels("flappy")) == 2.0
    assert value(families, "node_service_desired_state", **labels("backup")) == 0.0
    assert value(families, "node_service_normal_state", **labels("backup")) == 0.0
    assert value(families, "node_service_normal_state", **labels("web")) == 1.0
    assert value(families, "node_service_state_last_change_timestamp_seconds", **labels("backup")) == 1700000500.0
    assert len(families["node_service_state"]["rows"]) == 3


def test_runit_without_service_directory_fails(tmp_path):
    with pytest.raises(FileNotFoundError):
        collect(RunitCollector(Context(options={"runit_servicedir": str(tmp_path / "missing")})))
