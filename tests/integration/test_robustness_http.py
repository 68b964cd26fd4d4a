"""Hostile HTTP clients against the real node exporter: an endless header (1 GB offered) is cut off after the head
limit, a slowloris trickle is dropped at the header timeout, and scrapes from others are served meanwhile."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from exporter_toolkit.connections import HEADER_TIMEOUT_SECONDS
from exporter_toolkit.request import MAX_HEAD_BYTES
from tests.conftest import NODE_FIXTURE

pytestmark = pytest.mark.integration
FIXTURE_FLAGS = (f"--path.procfs={NODE_FIXTURE / 'proc'}", f"--path.sysfs={NODE_FIXTURE / 'sys'}",
                 f"--path.rootfs={NODE_FIXTURE / 'rootfs'}")


def scrape_ok(port: int) -> bool:
    response = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=30)
    return response.status_code == 200 and "node_load1 " in response.text


def test_a_gigabyte_of_headers_is_cut_off_after_the_head_limit(start_node_exporter):
    daemon = start_node_exporter(*FIXTURE_FLAGS)
    offered, sent, answer = 1 << 30, 0, b""
    chunk = b"X-Filler: " + b"a" * 65_000 + b"\r\n"
    with socket.create_connection(("127.0.0.1", daemon.port), timeout=30) as sock:
        sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        try:
            while sent < offered:
                sock.sendall(chunk)
                sent += len(chunk)
                if sent % (4 * len(chunk)) == 0:  # a scrape from someone else, while the flood goes on
                    assert scrape_ok(daemon.port)
        except OSError:  # reset or broken pipe: the server closed the connection
            pass
        try:
            answer = sock.recv(4096)
        except OSError:
            answer = b""
    assert sent < 64 * MAX_HEAD_BYTES, f"{sent} bytes accepted before the cut"
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431"), answer[:100]
    assert scrape_ok(daemon.port)


def test_a_slowloris_trickle_is_dropped_and_costs_no_scrape(start_node_exporter):
    daemon = start_node_exporter(*FIXTURE_FLAGS)
    clients = [socket.create_connection(("127.0.0.1", daemon.port), timeout=5) for _ in range(50)]
    closed_at: dict[int, float] = {}
    started = time.monotonic()
    stop = threading.Event()

    def trickle() -> None:
        payload = b"GET /metrics HTTP/1.1\r\nX-Slow: " + b"a" * 1000
        for index in range(len(payload)):
            for number, sock in enumerate(clients):
                if number in closed_at:
                    continue
                try:
                    sock.sendall(payload[index:index + 1])
                except OSError:
                    closed_at[number] = time.monotonic() - started
            if len(closed_at) == len(clients) or stop.wait(0.2):  # a byte per client every 0.2 s
                return

    thread = threading.Thread(target=trickle)
    thread.start()
    try:
        scrapes = 0
        deadline = time.monotonic() + 3 * HEADER_TIMEOUT_SECONDS + 30
        while len(closed_at) < len(clients) and time.monotonic() < deadline:
            assert scrape_ok(daemon.port)  # served while the trickles hold their connections
            scrapes += 1
        assert len(closed_at) == len(clients), f"{len(clients) - len(closed_at)} trickling clients still connected"
        assert scrapes > 0
    finally:
        stop.set()
        thread.join(10)
        for sock in clients:
            sock.close()
    assert scrape_ok(daemon.port)
