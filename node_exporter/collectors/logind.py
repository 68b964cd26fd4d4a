"""node_logind_sessions: logind's sessions counted by seat, remote, type and class (org.freedesktop.login1).

As Go 1.5: every combination of the known remote/type/class values and of the seats (plus the empty seat of
remote sessions) is reported, zero when no session has it; an unknown type or class counts as "other".
"""

from __future__ import annotations

import logging

from exporter_toolkit.families import gauge
from node_exporter import dbus_client
from node_exporter.collector import Collector, register

log = logging.getLogger(__name__)

LOGIN1 = "org.freedesktop.login1"
MANAGER_PATH = "/org/freedesktop/login1"
REMOTE_VALUES = ("true", "false")
TYPE_VALUES = ("other", "unspecified", "tty", "x11", "wayland", "mir", "web")
CLASS_VALUES = ("other", "user", "greeter", "lock-screen", "background")


def known_or_other(value: str, known: tuple[str, ...]) -> str:
    return value if value in known else "other"


def session_key(bus: dbus_client.Bus, seat: str, path: str) -> tuple[str, str, str, str] | None:
    """(seat, remote, type, class) of one session; None when a property cannot be read (the session ended)."""
    try:
        _, remote = bus.get_property(LOGIN1, path, f"{LOGIN1}.Session", "Remote")
        type_signature, session_type = bus.get_property(LOGIN1, path, f"{LOGIN1}.Session", "Type")
        class_signature, session_class = bus.get_property(LOGIN1, path, f"{LOGIN1}.Session", "Class")
    except dbus_client.DBusError as exc:
        log.debug("couldn't read session", extra={"path": path, "err": str(exc)})
        return None
    if type_signature != "s" or class_signature != "s":
        return None
    remote_text = ("true" if remote else "false") if isinstance(remote, bool) else str(remote)
    return seat, remote_text, known_or_other(session_type, TYPE_VALUES), known_or_other(session_class, CLASS_VALUES)


@register
class LogindCollector(Collector):
    name = "logind"
    enabled_by_default = False

    def update(self):
        try:
            bus = dbus_client.connect()
        except (OSError, ValueError, dbus_client.DBusError) as exc:
            raise RuntimeError(f"unable to connect to dbus: {exc}") from exc
        with bus:
            try:
                (seat_list,) = bus.call(LOGIN1, MANAGER_PATH, f"{LOGIN1}.Manager", "ListSeats")
            except dbus_client.DBusError as exc:
                raise RuntimeError(f"unable to get seats: {exc}") from exc
            try:
                (session_list,) = bus.call(LOGIN1, MANAGER_PATH, f"{LOGIN1}.Manager", "ListSessions")
            except dbus_client.DBusError as exc:
                raise RuntimeError(f"unable to get sessions: {exc}") from exc
            counts: dict[tuple[str, str, str, str], float] = {}
            for _id, _uid, _user, seat, path in session_list:
                key = session_key(bus, seat, path)
                if key is not None:
                    counts[key] = counts.get(key, 0.0) + 1
        seats = [seat_id for seat_id, _path in seat_list] + [""]  # "" is the seat of remote sessions (SSH)
        family = gauge("node_logind_sessions", "Number of sessions registered in logind.",
                       ["seat", "remote", "type", "class"])
        for remote in REMOTE_VALUES:
            for session_type in TYPE_VALUES:
                for session_class in CLASS_VALUES:
                    for seat in seats:
                        key = (seat, remote, session_type, session_class)
                        family.add_metric(list(key), counts.get(key, 0.0))
        yield family
