"""node_ntp_*: one SNTP query to a local NTP server (--collector.ntp.server) and RFC 5905 sanity checks.

What Go 1.5 computes (through beevik/ntp): offset and RTT from the four timestamps, root distance
(RTT + root delay) / 2 + root dispersion, and node_ntp_sanity 1 only when the answer is valid, the distance is
within --collector.ntp.max-distance and the causality error within --collector.ntp.local-offset-tolerance
(one second more around a leap second midnight).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import socket
import struct
import threading
import time

import click

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, Context, register

log = logging.getLogger(__name__)

PACKET = struct.Struct(">BBbbII4sQQQQ")  # li/vn/mode, stratum, poll, precision, root delay, root dispersion,
# reference id, reference, origin, receive, transmit timestamps
NTP_EPOCH_OFFSET = 2208988800  # seconds from 1900-01-01 to 1970-01-01
MODE_CLIENT, MODE_SERVER = 3, 4
LEAP_ADD, LEAP_DEL, LEAP_NOT_IN_SYNC = 1, 2, 3
MAX_STRATUM = 16
MAX_POLL_INTERVAL = float(1 << 17)  # seconds: an older reference time is not "fresh"
MAX_DISPERSION = 16.0
DAY = 86400.0


def parse_duration(_ctx, _param, value: str) -> float:
    """Go's time.ParseDuration for the forms the flags take ('3.46608s', '1ms', '1m30s') -> seconds."""
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    text = value.strip()
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("+-")
    parts = re.findall(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)", text)
    if text == "0":
        return 0.0
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise click.BadParameter(f"time: invalid duration {value!r}")
    return sign * sum(float(number) * units[unit] for number, unit in parts)


def to_ntp(seconds: float) -> int:
    """Unix seconds -> 64-bit NTP timestamp (32.32 fixed point since 1900)."""
    return int((seconds + NTP_EPOCH_OFFSET) * (1 << 32)) & 0xFFFFFFFFFFFFFFFF


def from_ntp(stamp: int) -> float:
    return stamp / (1 << 32) - NTP_EPOCH_OFFSET


def short_seconds(value: int) -> float:
    """NTP short format (16.16 fixed point) -> seconds."""
    return value / 65536.0


def query(server: str, port: int, version: int, ttl: int, timeout: float = 1.0) -> dict[str, float]:
    """One SNTP exchange; the answer's fields and the derived offset, RTT, root distance and causality error."""
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        if family == socket.AF_INET:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        else:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
        sock.connect((server, port))
        nonce = int.from_bytes(os.urandom(8), "big")  # a random transmit stamp, as beevik/ntp sends
        request = PACKET.pack((LEAP_NOT_IN_SYNC << 6) | (version << 3) | MODE_CLIENT, 0, 0, 0, 0, 0, b"\0" * 4, 0, 0,
                              0, nonce)
        sent = time.time()
        start = time.monotonic()
        sock.send(request)
        data = sock.recv(1024)
        received = sent + (time.monotonic() - start)
    if len(data) < PACKET.size:
        raise ValueError("invalid response: short packet")
    (flags, stratum, _poll, _precision, root_delay, root_dispersion, _refid, reference, origin, receive,
     transmit) = PACKET.unpack_from(data)
    if flags & 0x7 != MODE_SERVER:
        raise ValueError("invalid mode in response")
    if transmit == 0:
        raise ValueError("invalid transmit time in response")
    if origin != nonce:
        raise ValueError("server response mismatch")
    if receive > transmit:
        raise ValueError("server clock ticked backwards")
    org, rec, xmt, dst = to_ntp(sent), receive, transmit, to_ntp(received)
    rtt = max(0.0, ((dst - org) - (xmt - rec)) / (1 << 32))
    offset = ((rec - org) + (xmt - dst)) / 2 / (1 << 32)
    min_error = max(org - rec if org >= rec else 0, xmt - dst if xmt >= dst else 0) / (1 << 32)
    delay, dispersion = short_seconds(root_delay), short_seconds(root_dispersion)
    return {"leap": float(flags >> 6), "stratum": float(stratum), "rtt": rtt, "offset": offset,
            "reference": from_ntp(reference), "time": from_ntp(transmit), "root_delay": delay,
            "root_dispersion": dispersion, "root_distance": (rtt + delay) / 2 + dispersion, "min_error": min_error}


def valid(answer: dict[str, float]) -> bool:
    """RFC 5905's checks on one answer (beevik/ntp's Response.Validate)."""
    return (0 < answer["stratum"] < MAX_STRATUM and answer["leap"] != LEAP_NOT_IN_SYNC
            and answer["time"] - answer["reference"] <= MAX_POLL_INTERVAL
            and answer["root_delay"] / 2 + answer["root_dispersion"] <= MAX_DISPERSION
            and answer["time"] >= answer["reference"])


def _validate(options: dict) -> None:
    server = NtpCollector.SERVER.read(options)
    try:
        loopback = ipaddress.ip_address(server).is_loopback
    except ValueError:
        loopback = False
    if not NtpCollector.SERVER_IS_LOCAL.read(options) and not loopback:
        raise click.UsageError("only IP address of local NTP server is valid for --collector.ntp.server")
    version = NtpCollector.PROTOCOL_VERSION.read(options)
    if not 2 <= version <= 4:
        raise click.UsageError(f"invalid NTP protocol version {version}; must be 2, 3, or 4")
    if NtpCollector.LOCAL_OFFSET_TOLERANCE.read(options) < 0:
        raise click.UsageError("offset tolerance must be non-negative")
    port = NtpCollector.SERVER_PORT.read(options)
    if not 1 <= port <= 65535:
        raise click.UsageError(f"invalid NTP port number {port}; must be between 1 and 65535 inclusive")


@register
class NtpCollector(Collector):
    name = "ntp"
    enabled_by_default = False
    SERVER = Option("--collector.ntp.server", "ntp_server", "127.0.0.1", help="NTP server to use for ntp collector")
    SERVER_PORT = Option("--collector.ntp.server-port", "ntp_server_port", 123,
                         help="UDP port number to connect to on NTP server", type=int)
    PROTOCOL_VERSION = Option("--collector.ntp.protocol-version", "ntp_protocol_version", 4,
                              help="NTP protocol version", type=int)
    SERVER_IS_LOCAL = Option("--collector.ntp.server-is-local", "ntp_server_is_local", False,
                             help="Certify that collector.ntp.server address is not a public ntp server", is_flag=True)
    IP_TTL = Option("--collector.ntp.ip-ttl", "ntp_ip_ttl", 1, help="IP TTL to use while sending NTP query", type=int)
    MAX_DISTANCE = Option("--collector.ntp.max-distance", "ntp_max_distance", parse_duration(None, None, "3.46608s"),
                          help="Max accumulated distance to the root", parse=parse_duration, flag_default="3.46608s")
    LOCAL_OFFSET_TOLERANCE = Option("--collector.ntp.local-offset-tolerance", "ntp_local_offset_tolerance",
                                    parse_duration(None, None, "1ms"),
                                    help="Offset between local clock and local ntpd time to tolerate",
                                    parse=parse_duration, flag_default="1ms")

    _leap_lock = threading.Lock()
    _leap_midnight = 0.0  # cached: the leap flag is dropped right after midnight

    def __init__(self, ctx: Context) -> None:
        options = ctx.options
        _validate(options)
        self.server = self.SERVER.read(options)
        self.port = self.SERVER_PORT.read(options)
        self.version = self.PROTOCOL_VERSION.read(options)
        self.ttl = self.IP_TTL.read(options)
        self.max_distance = self.MAX_DISTANCE.read(options)
        self.tolerance = self.LOCAL_OFFSET_TOLERANCE.read(options)
        log.warning("This collector is deprecated and will be removed in the next major version release.")

    def update(self):
        try:
            answer = query(self.server, self.port, self.version, self.ttl)
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"couldn't get SNTP reply: {exc}") from exc
        yield gauge("node_ntp_stratum", "NTPD stratum.", value=answer["stratum"])
        yield gauge("node_ntp_leap", "NTPD leap second indicator, 2 bits.", value=answer["leap"])
        yield gauge("node_ntp_rtt_seconds", "RTT to NTPD.", value=answer["rtt"])
        yield gauge("node_ntp_offset_seconds", "ClockOffset between NTP and local clock.", value=answer["offset"])
        yield gauge("node_ntp_reference_timestamp_seconds", "NTPD ReferenceTime, UNIX timestamp.",
                    value=answer["reference"] if answer["reference"] > 0 else 0.0)
        yield gauge("node_ntp_root_delay_seconds", "NTPD RootDelay.", value=answer["root_delay"])
        yield gauge("node_ntp_root_dispersion_seconds", "NTPD RootDispersion.", value=answer["root_dispersion"])
        tolerance = self.tolerance
        with self._leap_lock:
            if answer["leap"] in (LEAP_ADD, LEAP_DEL):
                type(self)._leap_midnight = (answer["time"] // DAY) * DAY + DAY
            midnight = type(self)._leap_midnight
            if midnight - DAY < answer["time"] < midnight + DAY:
                tolerance += 1.0  # tolerate leap smearing
        sane = valid(answer) and answer["root_distance"] <= self.max_distance and answer["min_error"] <= tolerance
        yield gauge("node_ntp_sanity", "NTPD sanity according to RFC5905 heuristics and configured limits.",
                    value=1.0 if sane else 0.0)
