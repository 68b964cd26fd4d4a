"""node_tcp_connection_states{state}: TCP sockets per state plus their queued bytes, from a sock_diag dump.

Go 1.5 asks the kernel through NETLINK_SOCK_DIAG (inet_diag) for every TCP socket, IPv4 and (when
/proc/net/tcp6 exists) IPv6, counts them per state and sums every socket's receive and send queues.
"""

from __future__ import annotations

import os
import socket
import struct

from exporter_toolkit.families import gauge
from node_exporter import netlink
from node_exporter.collector import Collector, register

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
ALL_STATES = 0xFFFFFFFF
# inet_diag_req_v2: family, protocol, ext, pad, states, then a zeroed inet_diag_sockid (48 bytes)
REQUEST = struct.Struct("=BBBxI48x")
# inet_diag_msg: family, state, timer, retrans, sockid (48 bytes), expires, rqueue, wqueue, uid, inode
MESSAGE = struct.Struct("=BBBB48xIIIII")
STATES = {1: "established", 2: "syn_sent", 3: "syn_recv", 4: "fin_wait1", 5: "fin_wait2", 6: "time_wait",
          7: "close", 8: "close_wait", 9: "last_ack", 10: "listen", 11: "closing"}


def count_messages(bodies, stats: dict[str, float]) -> None:
    """Add each inet_diag_msg's state and queues into stats (state name -> value)."""
    for body in bodies:
        _, state, _, _, _, rqueue, wqueue, _, _ = MESSAGE.unpack_from(body)
        name = STATES.get(state, "unknown")
        stats[name] = stats.get(name, 0.0) + 1
        stats["rx_queued_bytes"] += rqueue
        stats["tx_queued_bytes"] += wqueue


def dump(family: int):
    """The inet_diag_msg bodies of every TCP socket of one address family."""
    payload = REQUEST.pack(family, socket.IPPROTO_TCP, 0, ALL_STATES)
    return netlink.request(NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, netlink.NLM_F_DUMP, payload)


@register
class TcpstatCollector(Collector):
    name = "tcpstat"
    enabled_by_default = False

    def update(self):
        stats = {"rx_queued_bytes": 0.0, "tx_queued_bytes": 0.0}
        count_messages(dump(socket.AF_INET), stats)
        if os.path.exists(self.paths.proc("net", "tcp6")):
            count_messages(dump(socket.AF_INET6), stats)
        family = gauge("node_tcp_connection_states", "Number of connection states.", ["state"])
        for state, value in sorted(stats.items()):
            family.add_metric([state], value)
        yield family
