"""A minimal netlink client on the stdlib socket module: one request, its (multi-part) answer, attribute parsing.

Enough for the rtnetlink qdisc dump and generic netlink (nl80211) queries the qdisc and wifi collectors make;
Go's exporter gets the same data through the ema/qdisc and mdlayher/wifi packages.
"""

from __future__ import annotations

import errno
import itertools
import os
import socket
import struct
from collections.abc import Iterator

NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3FFF

HEADER = struct.Struct("=IHHII")  # nlmsghdr: length, type, flags, sequence, port id
ATTR = struct.Struct("=HH")  # nlattr: length, type
GENL_HEADER = struct.Struct("=BBH")  # genlmsghdr: command, version, reserved

NETLINK_GENERIC = 16  # not exported by the socket module
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2

_sequence = itertools.count(1)


def align(length: int) -> int:
    return (length + 3) & ~3


def attribute(kind: int, payload: bytes) -> bytes:
    """One nlattr, padded."""
    data = ATTR.pack(ATTR.size + len(payload), kind) + payload
    return data + b"\0" * (align(len(data)) - len(data))


def attributes(data: bytes) -> dict[int, bytes]:
    """type -> payload of a run of nlattrs (nested flag stripped; a repeated type keeps the last)."""
    found: dict[int, bytes] = {}
    offset = 0
    while offset + ATTR.size <= len(data):
        length, kind = ATTR.unpack_from(data, offset)
        if length < ATTR.size:
            break
        found[kind & NLA_TYPE_MASK] = data[offset + ATTR.size:offset + length]
        offset += align(length)
    return found


def request(protocol: int, msg_type: int, flags: int, payload: bytes, timeout: float = 5.0) -> Iterator[bytes]:
    """Send one request; yield the payload of each answer message until NLMSG_DONE (or the single answer)."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, protocol)
    try:
        sock.settimeout(timeout)
        sock.bind((0, 0))
        sequence = next(_sequence)
        sock.send(HEADER.pack(HEADER.size + len(payload), msg_type, flags | NLM_F_REQUEST, sequence, 0) + payload)
        while True:
            data = sock.recv(1 << 20)
            offset = 0
            while offset + HEADER.size <= len(data):
                length, kind, msg_flags, msg_sequence, _ = HEADER.unpack_from(data, offset)
                if length < HEADER.size:
                    return
                body = data[offset + HEADER.size:offset + length]
                offset += align(length)
                if msg_sequence != sequence:
                    continue
                if kind == NLMSG_DONE:
                    return
                if kind == NLMSG_ERROR:
                    code = -struct.unpack_from("=i", body)[0]
                    if code == 0:  # an acknowledgement, not an error
                        return
                    raise OSError(code, f"netlink: {os.strerror(code)}")
                yield body
                if not msg_flags & 0x2:  # NLM_F_MULTI unset: a single answer
                    return
    finally:
        sock.close()


def genl_family(name: str) -> int | None:
    """The numeric id of a generic netlink family, or None when the kernel does not know it."""
    payload = GENL_HEADER.pack(CTRL_CMD_GETFAMILY, 1, 0) + attribute(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0")
    try:
        for body in request(NETLINK_GENERIC, GENL_ID_CTRL, 0, payload):
            family_id = attributes(body[GENL_HEADER.size:]).get(CTRL_ATTR_FAMILY_ID)
            if family_id is not None:
                return struct.unpack("=H", family_id[:2])[0]
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise
    return None


def genl_request(family: int, command: int, attrs: bytes = b"", dump: bool = False) -> Iterator[dict[int, bytes]]:
    """The top-level attributes of each answer to a generic netlink command."""
    payload = GENL_HEADER.pack(command, 1, 0) + attrs
    for body in request(NETLINK_GENERIC, family, NLM_F_DUMP if dump else 0, payload):
        yield attributes(body[GENL_HEADER.size:])
