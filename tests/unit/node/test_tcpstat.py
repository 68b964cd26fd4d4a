"""The tcpstat collector (node_exporter/collectors/tcpstat.py)."""

from __future__ import annotations

import socket

from node_exporter.collector import Context
from node_exporter.collectors import tcpstat
from tests.unit.node.helpers import collect


def diag_message(state: int, rqueue: int, wqueue: int) -> bytes:
    return tcpstat.MESSAGE.pack(socket.AF_INET, state, 0, 0, 0, rqueue, wqueue, 0, 0)


def test_tcpstat_counts_states_and_sums_queues():
    stats = {"rx_queued_bytes": 0.0, "tx_queued_bytes": 0.0}
    tcpstat.count_messages([diag_message(1, 10, 0), diag_message(1, 0, 5), diag_message(10, 3, 128),
                            diag_message(6, 0, 0)], stats)
    assert stats == {"established": 2.0, "listen": 1.0, "time_wait": 1.0, "rx_queued_bytes": 13.0,
                     "tx_queued_bytes": 133.0}


def test_tcpstat_sees_sockets_opened_by_the_test():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            server, _ = listener.accept()
            with server:
                client.sendall(b"x" * 100)  # unread: counted in the receiver's queue
                families = collect(tcpstat.TcpstatCollector(Context()))
    states = {dict(labels)["state"]: v for labels, v in families["node_tcp_connection_states"]["rows"].items()}
    assert states["listen"] >= 1 and states["established"] >= 2
    assert states["rx_queued_bytes"] >= 100
