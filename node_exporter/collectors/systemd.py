"""node_systemd_*: unit states, the unit summary, sockets, timers, tasks, restarts and the systemd version, read
from systemd's D-Bus API (org.freedesktop.systemd1) as Go 1.5 reads them.

Units are filtered by --collector.systemd.unit-include / -exclude (both anchored, as in Go) and must be loaded;
the summary counts every unit. A property a unit does not have (an old systemd) is skipped, as in Go.
"""

from __future__ import annotations

import logging
import re

import click

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import counter, gauge
from node_exporter import dbus_client
from node_exporter.collector import Collector, Context, register

log = logging.getLogger(__name__)

SYSTEMD = "org.freedesktop.systemd1"
MANAGER_PATH = "/org/freedesktop/systemd1"
MANAGER = "org.freedesktop.systemd1.Manager"
UNIT_STATES = ("active", "activating", "deactivating", "inactive", "failed")
MIN_VERSION_SYSTEM_STATE = 212  # SystemState and timers' LastTriggerUSec arrived with systemd 212
VERSION = re.compile(r"[0-9]{3,}(\.[0-9]+)?")
NO_LIMIT = 2**64 - 1
DEFAULT_EXCLUDE = r".+\.(automount|device|mount|scope|slice|target)"
_ALPHANUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def unit_path(name: str) -> str:
    """The unit's object path: each byte outside [A-Za-z0-9] (and a leading digit) as _xx, as systemd names it."""
    if not name:
        return MANAGER_PATH + "/unit/_"
    escaped = []
    for index, byte in enumerate(name.encode()):
        if byte not in _ALPHANUM or (index == 0 and 0x30 <= byte <= 0x39):
            escaped.append(f"_{byte:x}")
        else:
            escaped.append(chr(byte))
    return MANAGER_PATH + "/unit/" + "".join(escaped)


def _anchored(_ctx, _param, value: str | None) -> re.Pattern | None:
    if value is None:
        return None
    try:
        return re.compile(f"^(?:{value})$")
    except (re.error, OverflowError, RecursionError) as exc:  # OverflowError: a{99999999999}
        raise click.BadParameter(f"invalid regular expression {value!r}: {exc}") from exc


def _patterns(options: dict) -> tuple[re.Pattern, re.Pattern]:
    """Include and exclude patterns; the deprecated whitelist/blacklist names are accepted as Go 1.5 accepts them."""
    chosen = []
    for new, old in ((SystemdCollector.UNIT_INCLUDE, SystemdCollector.UNIT_WHITELIST),
                     (SystemdCollector.UNIT_EXCLUDE, SystemdCollector.UNIT_BLACKLIST)):
        value, legacy = options.get(new.dest), options.get(old.dest)
        if value is not None and legacy is not None:
            raise click.UsageError(f"{old.flag} and {new.flag} are mutually exclusive")
        if legacy is not None:
            log.warning(f"{old.flag} is DEPRECATED and will be removed in 2.0.0, use {new.flag}")
            value = legacy
        chosen.append(value if value is not None else new.default)
    return chosen[0], chosen[1]


def _unit_regex(flag: str, dest: str, default: str | None, help_text: str = "", hidden: bool = False) -> Option:
    """A unit filter flag: anchored as Go anchors it; its default applies only when neither name is given."""
    return Option(flag, dest, _anchored(None, None, default), help_text, parse=_anchored, hidden=hidden,
                  on_command_line=False)


@register
class SystemdCollector(Collector):
    name = "systemd"
    enabled_by_default = False
    UNIT_INCLUDE = _unit_regex("--collector.systemd.unit-include", "systemd_unit_include", ".+",
                               "Regexp of systemd units to include. Units must both match include and not match "
                               "exclude to be included.  [default: .+]")
    UNIT_WHITELIST = _unit_regex("--collector.systemd.unit-whitelist", "systemd_unit_whitelist", None, hidden=True)
    UNIT_EXCLUDE = _unit_regex("--collector.systemd.unit-exclude", "systemd_unit_exclude", DEFAULT_EXCLUDE,
                               "Regexp of systemd units to exclude. Units must both match include and not match "
                               f"exclude to be included.  [default: {DEFAULT_EXCLUDE}]")
    UNIT_BLACKLIST = _unit_regex("--collector.systemd.unit-blacklist", "systemd_unit_blacklist", None, hidden=True)
    PRIVATE = Option("--collector.systemd.private", "systemd_private", False,
                     "Establish a private, direct connection to systemd without dbus (Strongly discouraged since it "
                     "requires root. For testing purposes only).", is_flag=True, hidden=True)  # hidden in Go too
    ENABLE_TASK_METRICS = Option("--collector.systemd.enable-task-metrics", "systemd_enable_task_metrics", False,
                                 "Enables service unit tasks metrics unit_tasks_current and unit_tasks_max",
                                 is_flag=True)
    ENABLE_RESTARTS_METRICS = Option("--collector.systemd.enable-restarts-metrics", "systemd_enable_restarts_metrics",
                                     False, "Enables service unit metric service_restart_total", is_flag=True)
    ENABLE_START_TIME_METRICS = Option("--collector.systemd.enable-start-time-metrics",
                                       "systemd_enable_start_time_metrics", False,
                                       "Enables service unit metric unit_start_time_seconds", is_flag=True)

    def __init__(self, ctx: Context) -> None:
        options = ctx.options
        self.include, self.exclude = _patterns(options)
        self.private = bool(self.PRIVATE.read(options))
        self.tasks = bool(self.ENABLE_TASK_METRICS.read(options))
        self.restarts = bool(self.ENABLE_RESTARTS_METRICS.read(options))
        self.start_time = bool(self.ENABLE_START_TIME_METRICS.read(options))

    def update(self):
        try:
            bus = dbus_client.connect(self.private)
        except (OSError, ValueError, dbus_client.DBusError) as exc:
            raise RuntimeError(f"couldn't get dbus connection: {exc}") from exc
        with bus:
            yield from self._collect(bus)

    @staticmethod
    def _manager_property(bus: dbus_client.Bus, name: str) -> object:
        return bus.get_property(SYSTEMD, MANAGER_PATH, MANAGER, name)[1]

    @staticmethod
    def _unit_property(bus: dbus_client.Bus, unit: str, interface: str, name: str) -> object | None:
        """A property of one unit, or None when the unit lacks it (logged at debug, as Go does)."""
        try:
            return bus.get_property(SYSTEMD, unit_path(unit), f"{SYSTEMD}.{interface}", name)[1]
        except dbus_client.DBusError as exc:
            log.debug("couldn't get unit property", extra={"unit": unit, "property": name, "err": str(exc)})
            return None

    def _version(self, bus: dbus_client.Bus) -> tuple[float, str]:
        try:
            text = str(self._manager_property(bus, "Version"))
        except dbus_client.DBusError:
            log.debug("Unable to get systemd version property, defaulting to 0")
            return 0.0, ""
        match = VERSION.search(text)
        if match is None:
            log.debug("Got invalid systemd version", extra={"version": text})
            return 0.0, ""
        return float(match.group(0)), text

    def _collect(self, bus: dbus_client.Bus):
        version, version_text = self._version(bus)
        if version < MIN_VERSION_SYSTEM_STATE:
            log.debug("Detected systemd version is lower than minimum, some systemd state and timer metrics will not "
                      "be available", extra={"current": version, "minimum": MIN_VERSION_SYSTEM_STATE})
        family = gauge("node_systemd_version", "Detected systemd version", ["version"])
        family.add_metric([version_text], version)
        yield family
        try:
            (units,) = bus.call(SYSTEMD, MANAGER_PATH, MANAGER, "ListUnits")
        except dbus_client.DBusError as exc:
            raise RuntimeError(f"couldn't get units: {exc}") from exc
        summary = dict.fromkeys(UNIT_STATES, 0.0)
        for unit in units:
            summary[unit[3]] = summary.get(unit[3], 0.0) + 1
        units_family = gauge("node_systemd_units", "Summary of systemd unit states", ["state"])
        for state, count in summary.items():
            units_family.add_metric([state], count)
        yield units_family
        chosen = [(unit[0], unit[3]) for unit in units
                  if self.include.match(unit[0]) and not self.exclude.match(unit[0]) and unit[2] == "loaded"]
        yield from self._unit_states(bus, chosen)
        if self.start_time:
            yield self._start_times(bus, chosen)
        if self.tasks:
            yield from self._tasks(bus, chosen)
        if version >= MIN_VERSION_SYSTEM_STATE:
            yield from self._timers(bus, chosen)
        yield from self._sockets(bus, chosen)
        if version >= MIN_VERSION_SYSTEM_STATE:
            try:
                state = self._manager_property(bus, "SystemState")
            except dbus_client.DBusError as exc:
                raise RuntimeError(f"couldn't get system state: {exc}") from exc
            yield gauge("node_systemd_system_running",
                        "Whether the system is operational (see 'systemctl is-system-running')",
                        value=1.0 if state == "running" else 0.0)

    def _unit_states(self, bus: dbus_client.Bus, units: list[tuple[str, str]]):
        states = gauge("node_systemd_unit_state", "Systemd unit", ["name", "state", "type"])
        restarts = counter("node_systemd_service_restart_total", "Service unit count of Restart triggers", ["name"])
        for name, active_state in units:
            unit_type = ""
            if name.endswith(".service"):
                unit_type = self._unit_property(bus, name, "Service", "Type") or ""
            elif name.endswith(".mount"):
                unit_type = self._unit_property(bus, name, "Mount", "Type") or ""
            for state in UNIT_STATES:
                states.add_metric([name, state, str(unit_type)], 1.0 if state == active_state else 0.0)
            if self.restarts and name.endswith(".service"):
                count = self._unit_property(bus, name, "Service", "NRestarts")
                if count is not None:
                    restarts.add_metric([name], float(count))
        yield from (family for family in (states, restarts) if family.rows)

    def _start_times(self, bus: dbus_client.Bus, units: list[tuple[str, str]]):
        family = gauge("node_systemd_unit_start_time_seconds", "Start time of the unit since unix epoch in seconds.",
                       ["name"])
        for name, active_state in units:
            microseconds = 0
            if active_state == "active":
                value = self._unit_property(bus, name, "Unit", "ActiveEnterTimestamp")
                if value is None:
                    continue
                microseconds = int(value)
            family.add_metric([name], microseconds / 1e6)
        return family

    def _tasks(self, bus: dbus_client.Bus, units: list[tuple[str, str]]):
        current = gauge("node_systemd_unit_tasks_current", "Current number of tasks per Systemd unit", ["name"])
        maximum = gauge("node_systemd_unit_tasks_max", "Maximum number of tasks per Systemd unit", ["name"])
        for name, _ in units:
            if not name.endswith(".service"):
                continue
            for family, prop in ((current, "TasksCurrent"), (maximum, "TasksMax")):
                value = self._unit_property(bus, name, "Service", prop)
                if value is not None and value != NO_LIMIT:  # systemd reports "no limit / unknown" as 2^64-1
                    family.add_metric([name], float(value))
        yield from (family for family in (current, maximum) if family.rows)

    def _timers(self, bus: dbus_client.Bus, units: list[tuple[str, str]]):
        family = gauge("node_systemd_timer_last_trigger_seconds", "Seconds since epoch of last trigger.", ["name"])
        for name, _ in units:
            if name.endswith(".timer"):
                value = self._unit_property(bus, name, "Timer", "LastTriggerUSec")
                if value is not None:
                    family.add_metric([name], int(value) / 1e6)
        if family.rows:
            yield family

    def _sockets(self, bus: dbus_client.Bus, units: list[tuple[str, str]]):
        accepted = counter("node_systemd_socket_accepted_connections_total",
                           "Total number of accepted socket connections", ["name"])
        current = gauge("node_systemd_socket_current_connections", "Current number of socket connections", ["name"])
        # A gauge in Go despite its _total name.
        refused = gauge("node_systemd_socket_refused_connections_total",
                        "Total number of refused socket connections", ["name"])
        for name, _ in units:
            if not name.endswith(".socket"):
                continue
            value = self._unit_property(bus, name, "Socket", "NAccepted")
            if value is None:
                continue
            accepted.add_metric([name], float(value))
            value = self._unit_property(bus, name, "Socket", "NConnections")
            if value is None:
                continue
            current.add_metric([name], float(value))
            value = self._unit_property(bus, name, "Socket", "NRefused")  # systemd 239 and later
            if value is not None:
                refused.add_metric([name], float(value))
        yield from (family for family in (accepted, current, refused) if family.rows)
