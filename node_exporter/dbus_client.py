"""The D-Bus calls the systemd and logind collectors make, on jeepney (a pure-Python D-Bus protocol library).

A connection per scrape, as Go's collectors open one: to the system bus (DBUS_SYSTEM_BUS_ADDRESS, else
/var/run/dbus/system_bus_socket), or for --collector.systemd.private straight to systemd's private socket, a
peer connection without the bus' Hello. jeepney is imported on the first connection: exporters that do not run
these collectors do not carry it.
"""

from __future__ import annotations

import itertools
import time

SYSTEMD_PRIVATE_SOCKET = "unix:path=/run/systemd/private"
TIMEOUT = 10.0


class DBusError(Exception):
    """An error reply: its D-Bus error name and message."""


class _PeerConnection:
    """A connection straight to a D-Bus peer (systemd's private socket): no message bus, so no Hello, which
    jeepney's blocking DBusConnection always sends. Built on jeepney's public sans-I/O core (Message.serialise,
    Parser) over the socket prep_socket() authenticated."""

    def __init__(self, sock) -> None:
        from jeepney import Parser

        self.sock = sock
        self.parser = Parser()
        self.serials = itertools.count(1)

    def send_and_get_reply(self, message, *, timeout: float):
        from jeepney import HeaderFields

        serial = next(self.serials)
        deadline = time.monotonic() + timeout
        self.sock.settimeout(timeout)
        self.sock.sendall(message.serialise(serial=serial))
        while True:
            reply = self.parser.get_next_message()
            if reply is None:
                self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionResetError("the D-Bus peer closed the connection")
                self.parser.add_data(data)
            elif reply.header.fields.get(HeaderFields.reply_serial) == serial:
                return reply

    def close(self) -> None:
        self.sock.close()


class Bus:
    def __init__(self, address: str = "SYSTEM", peer: bool = False) -> None:
        from jeepney.bus import get_bus
        from jeepney.io.blocking import DBusConnection, prep_socket

        sock = prep_socket(get_bus(address), timeout=TIMEOUT)
        self.connection = _PeerConnection(sock) if peer else DBusConnection(sock)

    def __enter__(self) -> Bus:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    def call(self, destination: str, path: str, interface: str, member: str, signature: str | None = None,
             body: tuple = ()) -> tuple:
        from jeepney import DBusAddress, MessageType, new_method_call

        message = new_method_call(DBusAddress(path, bus_name=destination, interface=interface), member, signature,
                                  body)
        reply = self.connection.send_and_get_reply(message, timeout=TIMEOUT)
        if reply.header.message_type == MessageType.error:
            name = reply.header.fields.get(4, "org.freedesktop.DBus.Error.Failed")  # HeaderFields.error_name
            text = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
            raise DBusError(f"{name}: {text}")
        return reply.body

    def get_property(self, destination: str, path: str, interface: str, name: str) -> tuple[str, object]:
        """(D-Bus signature, value) of one property."""
        (variant,) = self.call(destination, path, "org.freedesktop.DBus.Properties", "Get", "ss", (interface, name))
        return variant


def connect(private: bool = False) -> Bus:
    return Bus(SYSTEMD_PRIVATE_SOCKET, peer=True) if private else Bus("SYSTEM")
