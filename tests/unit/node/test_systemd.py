"""The systemd collector (node_exporter/collectors/systemd.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import Context
from node_exporter.collectors.systemd import SystemdCollector, unit_path
from tests.node_fakes import (
    DBusPeer,
    systemd_tables,
)
from tests.unit.node.helpers import collect, systemd_options, value


def test_unit_paths_escape_as_systemd():
    assert unit_path("ssh.service") == "/org/freedesktop/systemd1/unit/ssh_2eservice"
    assert unit_path("nginx@a-b.service") == "/org/freedesktop/systemd1/unit/nginx_40a_2db_2eservice"
    assert unit_path("1x.service").startswith("/org/freedesktop/systemd1/unit/_31x")


def test_systemd_private_socket_is_a_peer_connection(tmp_path, monkeypatch):
    """--collector.systemd.private talks to systemd's own socket: no message bus, no Hello, same answers."""
    from node_exporter import dbus_client

    path = str(tmp_path / "private")
    monkeypatch.setattr(dbus_client, "SYSTEMD_PRIVATE_SOCKET", f"unix:path={path}")
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")  # the bus must not be used
    with DBusPeer(path, systemd_tables()) as peer:
        families = collect(SystemdCollector(Context(options=systemd_options(systemd_private=True))))
    assert peer.calls > 10
    assert value(families, "node_systemd_unit_state", name="ssh.service", state="active", type="notify") == 1.0
    assert value(families, "node_systemd_system_running") == 1.0


def test_systemd_without_a_bus_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/nothing")
    with pytest.raises(RuntimeError, match="couldn't get dbus connection"):
        collect(SystemdCollector(Context(options={})))
