"""Small real servers the node collector tests talk to: an SNTP responder, a supervisord XML-RPC endpoint, runit
status records and an amdgpu sysfs card. Each server runs in a thread on a loopback free port."""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

NTP_PACKET = struct.Struct(">BBbbII4sQQQQ")
NTP_EPOCH_OFFSET = 2208988800


def ntp_stamp(seconds: float) -> int:
    return int((seconds + NTP_EPOCH_OFFSET) * (1 << 32))


class NtpResponder:
    """Answers each SNTP client request as a server of the given stratum, leap indicator and root figures would,
    stamping receive and transmit times from the local clock shifted by `offset` seconds."""

    def __init__(self, stratum: int = 2, leap: int = 0, root_delay: float = 0.015625, root_dispersion: float = 0.03125,
                 reference_age: float = 64.0, offset: float = 0.0) -> None:
        self.stratum, self.leap, self.offset = stratum, leap, offset
        self.root_delay, self.root_dispersion, self.reference_age = root_delay, root_dispersion, reference_age
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.1)  # so that the thread notices `stopping`
        self.requests = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> NtpResponder:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping = True
        self.thread.join(timeout=5)
        self.sock.close()

    def _serve(self) -> None:
        while not self.stopping:
            try:
                data, peer = self.sock.recvfrom(1024)
            except TimeoutError:
                continue
            except OSError:
                return
            received = time.time() + self.offset
            fields = NTP_PACKET.unpack_from(data)
            version = (fields[0] >> 3) & 0x7
            self.requests += 1
            answer = NTP_PACKET.pack(
                (self.leap << 6) | (version << 3) | 4, self.stratum, 6, -20,
                int(self.root_delay * 65536), int(self.root_dispersion * 65536), b"GPS\0",
                ntp_stamp(received - self.reference_age), fields[10], ntp_stamp(received),
                ntp_stamp(time.time() + self.offset))
            self.sock.sendto(answer, peer)


class _Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/RPC2",)

    def log_message(self, *args) -> None:  # keep test output clean
        pass


class Supervisord:
    """supervisord's XML-RPC API as far as getAllProcessInfo goes, serving a fixed process list."""

    def __init__(self, processes: list[dict]) -> None:
        self.processes = processes
        self.server = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=_Handler, logRequests=False,
                                         allow_none=True)
        self.server.register_function(lambda: self.processes, "supervisor.getAllProcessInfo")
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/RPC2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Supervisord:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def supervisord_process(name: str, group: str, state: int, start: int, exitstatus: int = 0) -> dict:
    names = {0: "STOPPED", 10: "STARTING", 20: "RUNNING", 30: "BACKOFF", 40: "STOPPING", 100: "EXITED", 200: "FATAL"}
    return {"name": name, "group": group, "description": "", "start": start, "stop": 0, "now": int(time.time()),
            "state": state, "statename": names[state], "spawnerr": "", "exitstatus": exitstatus,
            "logfile": "", "stdout_logfile": "", "stderr_logfile": "", "pid": 4242 if state == 20 else 0}


def write_runit_service(servicedir: str, name: str, changed: int, pid: int, want: str, state: int,
                        normally_down: bool = False) -> None:
    """A service directory with runsv's 20-byte supervise/status record."""
    supervise = os.path.join(servicedir, name, "supervise")
    os.makedirs(supervise, exist_ok=True)
    record = struct.pack(">QI", (1 << 62) + 10 + changed, 0) + struct.pack("<I", pid) + bytes(
        [0, ord(want), 0, state])
    with open(os.path.join(supervise, "status"), "wb") as handle:
        handle.write(record)
    if normally_down:
        open(os.path.join(servicedir, name, "down"), "w").close()


def write_amdgpu_card(sysfs: str, card: str, values: dict[str, str], driver: str = "amdgpu") -> None:
    device = os.path.join(sysfs, "class", "drm", card, "device")
    os.makedirs(device, exist_ok=True)
    with open(os.path.join(device, "uevent"), "w") as handle:
        handle.write(f"DRIVER={driver}\nPCI_CLASS=30000\n")
    for name, value in values.items():
        with open(os.path.join(device, name), "w") as handle:
            handle.write(value + "\n")


class DBusDaemon:
    """A private message bus: `dbus-daemon --session` listening on a socket in `directory`."""

    def __init__(self, binary: str, directory: str) -> None:
        import subprocess

        self.path = os.path.join(directory, "bus")
        self.address = f"unix:path={self.path}"
        self.process = subprocess.Popen([binary, "--session", f"--address={self.address}", "--nofork", "--nopidfile",
                                         "--print-address=1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        printed = self.process.stdout.readline()  # written once the bus listens
        if not printed:
            raise RuntimeError("dbus-daemon did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()


class DBusService:
    """Owns a well-known name on a bus and answers method calls from `methods` ((path, interface, member) ->
    (signature, body)) and Properties.Get from `properties` (path -> {(interface, name): (signature, value)}),
    in a thread, as org.freedesktop.systemd1 or org.freedesktop.login1 answer them."""

    def __init__(self, address: str, name: str, methods: dict, properties: dict) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.methods, self.properties = methods, properties
        self.connection = open_dbus_connection(address)
        self.connection.send_and_get_reply(message_bus.RequestName(name, 4), timeout=5)  # DO_NOT_QUEUE
        self.calls: list[tuple[str, str, str]] = []
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> DBusService:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping = True
        self.thread.join(timeout=5)
        self.connection.close()

    def _answer(self, message):
        self.calls.append(tuple(message.header.fields.get(code) for code in (1, 2, 3)))
        return answer(message, self.methods, self.properties)

    def _serve(self) -> None:
        from jeepney import MessageType

        while not self.stopping:
            try:
                message = self.connection.receive(timeout=0.1)
            except TimeoutError:
                continue
            except OSError:
                return
            if message.header.message_type == MessageType.method_call:
                self.connection.send(self._answer(message))


def answer(message, methods: dict, properties: dict):
    """The reply to one method call: Properties.Get from `properties`, the rest from `methods`."""
    from jeepney import new_error, new_method_return

    fields = message.header.fields
    path, interface, member = fields.get(1), fields.get(2), fields.get(3)  # HeaderFields path/interface/member
    if interface == "org.freedesktop.DBus.Properties" and member == "Get":
        wanted = tuple(message.body)
        value = properties.get(path, {}).get(wanted)
        if value is None:
            return new_error(message, "org.freedesktop.DBus.Error.UnknownProperty", "s",
                             (f"Unknown property {wanted[1]}",))
        return new_method_return(message, "v", (value,))
    reply = methods.get((path, interface, member))
    if reply is None:
        return new_error(message, "org.freedesktop.DBus.Error.UnknownMethod", "s", (f"Unknown method {member}",))
    return new_method_return(message, reply[0], reply[1])


class DBusPeer:
    """A D-Bus peer on a unix socket, as systemd's private socket is: SASL EXTERNAL, then method calls answered
    from a DBusService's tables, no message bus (so no Hello). One client at a time."""

    def __init__(self, path: str, tables: tuple[dict, dict]) -> None:
        self.path, (self.methods, self.properties) = path, tables
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen()
        self.listener.settimeout(0.1)
        self.calls = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> DBusPeer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping = True
        self.thread.join(timeout=5)
        self.listener.close()

    def _serve(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                self._session(conn)

    def _session(self, conn: socket.socket) -> None:
        from jeepney import MessageType
        from jeepney.low_level import Parser

        buffer, answered = b"", False
        while b"BEGIN\r\n" not in buffer:  # the SASL exchange: one AUTH EXTERNAL, accepted
            data = conn.recv(4096)
            if not data:
                return
            buffer += data
            if not answered and buffer.lstrip(b"\0").startswith(b"AUTH EXTERNAL") and b"\r\n" in buffer:
                conn.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")
                answered = True
        parser = Parser()
        parser.add_data(buffer.split(b"BEGIN\r\n", 1)[1])
        serial = 0
        while True:
            for message in iter(parser.get_next_message, None):
                if message.header.message_type == MessageType.method_call:
                    serial += 1
                    self.calls += 1
                    conn.sendall(answer(message, self.methods, self.properties).serialise(serial=serial))
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            parser.add_data(data)


def fake_systemd(address: str, version: str = "252.22-1~deb12u1", state: str = "running") -> DBusService:
    """systemd on a bus with a few units of each kind the collector reads (services, a socket, a timer, a mount,
    a target and an unloaded unit)."""
    return DBusService(address, "org.freedesktop.systemd1", *systemd_tables(version, state))


def systemd_tables(version: str = "252.22-1~deb12u1", state: str = "running") -> tuple[dict, dict]:
    """(methods, properties) of the fake systemd."""
    from node_exporter.collectors.systemd import unit_path

    manager, manager_path = "org.freedesktop.systemd1.Manager", "/org/freedesktop/systemd1"
    units = [  # name, description, load, active, sub, following, path, job id, job type, job path
        ("ssh.service", "OpenSSH", "loaded", "active", "running", "", unit_path("ssh.service"), 0, "", "/"),
        ("cron.service", "cron", "loaded", "failed", "failed", "", unit_path("cron.service"), 0, "", "/"),
        ("nginx@a-b.service", "web", "loaded", "activating", "start", "", unit_path("nginx@a-b.service"), 0, "",
         "/"),
        ("dbus.socket", "D-Bus socket", "loaded", "active", "running", "", unit_path("dbus.socket"), 0, "", "/"),
        ("apt-daily.timer", "apt", "loaded", "inactive", "dead", "", unit_path("apt-daily.timer"), 0, "", "/"),
        ("home.mount", "/home", "loaded", "active", "mounted", "", unit_path("home.mount"), 0, "", "/"),
        ("multi-user.target", "multi-user", "loaded", "active", "active", "", unit_path("multi-user.target"), 0,
         "", "/"),
        ("gone.service", "gone", "not-found", "inactive", "dead", "", unit_path("gone.service"), 0, "", "/"),
    ]
    service, socket_i = "org.freedesktop.systemd1.Service", "org.freedesktop.systemd1.Socket"
    unit_i, timer = "org.freedesktop.systemd1.Unit", "org.freedesktop.systemd1.Timer"
    mount, unlimited = "org.freedesktop.systemd1.Mount", 2**64 - 1
    properties = {
        manager_path: {(manager, "Version"): ("s", version), (manager, "SystemState"): ("s", state)},
        unit_path("ssh.service"): {(service, "Type"): ("s", "notify"), (service, "NRestarts"): ("u", 2),
                                   (service, "TasksCurrent"): ("t", 3), (service, "TasksMax"): ("t", 4915),
                                   (unit_i, "ActiveEnterTimestamp"): ("t", 1700000000123456)},
        unit_path("cron.service"): {(service, "Type"): ("s", "simple"), (service, "NRestarts"): ("u", 0),
                                    (service, "TasksCurrent"): ("t", unlimited),
                                    (service, "TasksMax"): ("t", unlimited),
                                    (unit_i, "ActiveEnterTimestamp"): ("t", 1690000000000000)},
        unit_path("nginx@a-b.service"): {(service, "Type"): ("s", "forking"), (service, "NRestarts"): ("u", 7),
                                         (service, "TasksCurrent"): ("t", 1), (service, "TasksMax"): ("t", 100)},
        unit_path("dbus.socket"): {(socket_i, "NAccepted"): ("u", 12), (socket_i, "NConnections"): ("u", 1),
                                   (socket_i, "NRefused"): ("u", 3),
                                   (unit_i, "ActiveEnterTimestamp"): ("t", 1700000001000000)},
        unit_path("apt-daily.timer"): {(timer, "LastTriggerUSec"): ("t", 1700003600500000)},
        unit_path("home.mount"): {(mount, "Type"): ("s", "ext4"),
                                  (unit_i, "ActiveEnterTimestamp"): ("t", 1700000002000000)},
        unit_path("multi-user.target"): {(unit_i, "ActiveEnterTimestamp"): ("t", 1700000003000000)},
    }
    methods = {(manager_path, manager, "ListUnits"): ("a(ssssssouso)", (units,))}
    return methods, properties


def fake_logind(address: str) -> DBusService:
    """logind with two seats and sessions of several kinds (one of an unknown type, one remote)."""
    login1 = "org.freedesktop.login1"
    sessions = [("1", 1000, "alice", "seat0", "/org/freedesktop/login1/session/_31"),
                ("2", 1000, "alice", "seat0", "/org/freedesktop/login1/session/_32"),
                ("3", 1001, "bob", "", "/org/freedesktop/login1/session/_33"),
                ("4", 0, "root", "seat1", "/org/freedesktop/login1/session/_34")]
    session_i = f"{login1}.Session"

    def props(remote: bool, kind: str, klass: str) -> dict:
        return {(session_i, "Remote"): ("b", remote), (session_i, "Type"): ("s", kind),
                (session_i, "Class"): ("s", klass)}

    properties = {sessions[0][4]: props(False, "x11", "user"), sessions[1][4]: props(False, "x11", "user"),
                  sessions[2][4]: props(True, "tty", "user"), sessions[3][4]: props(False, "teletype", "greeter")}
    methods = {
        ("/org/freedesktop/login1", f"{login1}.Manager", "ListSeats"):
            ("a(so)", ([("seat0", "/org/freedesktop/login1/seat/seat0"),
                        ("seat1", "/org/freedesktop/login1/seat/seat1")],)),
        ("/org/freedesktop/login1", f"{login1}.Manager", "ListSessions"): ("a(susso)", (sessions,)),
    }
    return DBusService(address, login1, methods, properties)
