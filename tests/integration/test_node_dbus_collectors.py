"""The systemd and logind collectors against a private dbus-daemon with fake systemd and logind services."""

from __future__ import annotations

import pytest

from node_exporter.collector import Context
from node_exporter.collectors.logind import LogindCollector
from node_exporter.collectors.systemd import SystemdCollector
from tests.conftest import require_binary
from tests.node_fakes import (
    DBusDaemon,
    fake_logind,
    fake_systemd,
)
from tests.unit.node.helpers import collect, systemd_options, value


@pytest.fixture
def private_bus(tmp_path, monkeypatch):
    """A dbus-daemon of our own; the collectors find it as Go's would, through DBUS_SYSTEM_BUS_ADDRESS."""
    bus = DBusDaemon(require_binary("dbus-daemon"), str(tmp_path))
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
    yield bus.address
    bus.stop()


def test_systemd_units_sockets_timers_tasks(private_bus):
    with fake_systemd(private_bus):
        families = collect(SystemdCollector(Context(options=systemd_options())))
    assert value(families, "node_systemd_version", version="252.22-1~deb12u1") == 252.22
    assert value(families, "node_systemd_system_running") == 1.0
    assert value(families, "node_systemd_units", state="active") == 4.0  # every unit, loaded or not
    assert value(families, "node_systemd_units", state="inactive") == 2.0
    assert value(families, "node_systemd_unit_state", name="ssh.service", state="active", type="notify") == 1.0
    assert value(families, "node_systemd_unit_state", name="cron.service", state="failed", type="simple") == 1.0
    names = {dict(labels)["name"] for labels in families["node_systemd_unit_state"]["rows"]}
    assert names == {"ssh.service", "cron.service", "nginx@a-b.service", "dbus.socket", "apt-daily.timer"}
    assert value(families, "node_systemd_service_restart_total", name="nginx@a-b.service") == 7.0
    assert value(families, "node_systemd_unit_tasks_current", name="ssh.service") == 3.0
    assert (("name", "cron.service"),) not in families["node_systemd_unit_tasks_max"]["rows"]  # unlimited
    assert value(families, "node_systemd_unit_start_time_seconds", name="ssh.service") == 1700000000.123456
    assert value(families, "node_systemd_unit_start_time_seconds", name="cron.service") == 0.0  # not active
    assert value(families, "node_systemd_socket_accepted_connections_total", name="dbus.socket") == 12.0
    assert value(families, "node_systemd_socket_refused_connections_total", name="dbus.socket") == 3.0
    assert families["node_systemd_socket_refused_connections_total"]["type"] == "gauge"
    assert value(families, "node_systemd_timer_last_trigger_seconds", name="apt-daily.timer") == 1700003600.5


def test_systemd_include_exclude_are_anchored(private_bus):
    import re

    options = systemd_options(systemd_unit_include=re.compile("^(?:.*\\.service)$"),
                              systemd_unit_exclude=re.compile("^(?:cron)$"))  # anchored: matches no unit name
    with fake_systemd(private_bus, state="degraded"):
        families = collect(SystemdCollector(Context(options=options)))
    names = {dict(labels)["name"] for labels in families["node_systemd_unit_state"]["rows"]}
    assert names == {"ssh.service", "cron.service", "nginx@a-b.service"}
    assert value(families, "node_systemd_system_running") == 0.0
    assert "node_systemd_socket_accepted_connections_total" not in families


def test_systemd_old_version_skips_system_state_and_timers(private_bus):
    with fake_systemd(private_bus, version="209"):
        families = collect(SystemdCollector(Context(options={})))
    assert value(families, "node_systemd_version", version="209") == 209.0
    assert "node_systemd_system_running" not in families and "node_systemd_timer_last_trigger_seconds" not in families
    assert "node_systemd_unit_tasks_current" not in families  # not enabled


def test_logind_sessions_by_seat_remote_type_class(private_bus):
    with fake_logind(private_bus):
        families = collect(LogindCollector(Context()))
    rows = families["node_logind_sessions"]["rows"]
    assert len(rows) == 2 * 7 * 5 * 3  # remote x type x class x (seat0, seat1, "")
    counted = {labels: v for labels, v in rows.items() if v}
    key = lambda seat, remote, kind, klass: (("class", klass), ("remote", remote), ("seat", seat), ("type", kind))  # noqa: E731
    assert counted == {key("seat0", "false", "x11", "user"): 2.0, key("", "true", "tty", "user"): 1.0,
                       key("seat1", "false", "other", "greeter"): 1.0}
