"""Connections cost little and cannot pile up: request heads are read under a deadline, idle keep-alive
connections are closed after theirs, open connections are capped, and a scrape is served while a thousand
half-open connections are held, by every daemon's server, without a thread per connection."""

from __future__ import annotations

import http.client
import re
import resource
import socket
import ssl
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from prometheus_client import CollectorRegistry

from exporter_toolkit.exposition import registry_handler
from exporter_toolkit.server import Exporter, ServerConfig
from exporter_toolkit.telemetry import add_exporter_metrics
from testbed.harness import free_port, wait_for
from tests.tls import make_pki

HALF_HEAD = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n"


@pytest.fixture(autouse=True)
def enough_file_descriptors():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def half_open(port: int, count: int) -> list[socket.socket]:
    """Connections that sent part of a request head and then nothing."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(HALF_HEAD)
        sockets.append(sock)
    return sockets


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server closed the connection (EOF or reset); False while it is still open."""
    sock.settimeout(0.05)
    try:
        return sock.recv(4096) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def threads_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("Threads:"))


@pytest.fixture
def serve() -> Iterator:
    """Start an in-process Exporter with its own ServerConfig (small deadlines); stopped after the test."""
    running: list[tuple[Exporter, threading.Thread]] = []

    def start(**overrides) -> tuple[Exporter, int, CollectorRegistry]:
        port = free_port()
        registry = CollectorRegistry(auto_describe=False)
        config = ServerConfig(name="t", description="t", version="0", metrics=registry_handler(registry),
                              listen_addresses=[f"127.0.0.1:{port}"], hooks=add_exporter_metrics(registry),
                              **overrides)
        exporter = Exporter(config)
        exporter.bind()  # listening from here on: connections wait in the backlog until the loop runs
        thread = threading.Thread(target=exporter.serve, kwargs={"install_signal_handlers": False})
        thread.start()
        running.append((exporter, thread))
        return exporter, port, registry

    yield start
    for exporter, thread in running:
        exporter.stop()
        thread.join(10)
        assert not thread.is_alive()


def test_half_open_connections_are_closed_after_the_header_deadline(serve):
    exporter, port, _ = serve(header_timeout=0.5)
    opened = time.monotonic()
    sockets = half_open(port, 20)
    try:
        wait_for(lambda: all(closed_by_server(sock) for sock in sockets), timeout=10, what="half-open closed")
        assert time.monotonic() - opened >= 0.5
        assert exporter.stats.header_timeouts == 20
        wait_for(lambda: exporter.stats.open == 0, timeout=5, what="no connection left open")
    finally:
        for sock in sockets:
            sock.close()
    body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert 'exporter_http_connections_timed_out_total{phase="header"} 20\n' in body


def test_a_connection_that_sends_nothing_is_closed_too(serve):
    exporter, port, _ = serve(header_timeout=0.3)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as silent:
        wait_for(lambda: closed_by_server(silent), timeout=10, what="silent connection closed")
    assert exporter.stats.header_timeouts == 1


def test_idle_keep_alive_connections_are_closed_after_the_idle_deadline(serve):
    exporter, port, _ = serve(idle_timeout=0.5, header_timeout=5)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    assert response.status == 200 and response.read() == b"OK\n"
    assert response.getheader("Connection") is None  # kept alive
    conn.request("GET", "/healthz")  # the same connection carries a second request
    assert conn.getresponse().read() == b"OK\n"
    wait_for(lambda: closed_by_server(conn.sock), timeout=10, what="idle connection closed")
    assert exporter.stats.idle_timeouts == 1 and exporter.stats.header_timeouts == 0
    conn.close()


def test_a_busy_keep_alive_connection_leaves_no_pile_of_old_deadlines(serve):
    """Each request re-arms its connection's deadline; the ones it replaces must not stay queued until their time
    (the soak found ~200 bytes a scrape kept for the idle timeout: megabytes under a fast scrape loop)."""
    exporter, port, _ = serve(idle_timeout=300, header_timeout=10)
    with requests.Session() as session:
        for _ in range(2000):
            assert session.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        queued = len(exporter._loop._deadlines)  # white box: the loop's deadline heap
    assert queued <= 2 * max(exporter.stats.open, 1) + 65, queued


def test_a_slow_but_complete_request_within_the_deadline_is_served(serve):
    _, port, _ = serve(header_timeout=5)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for piece in (b"GET /healthz HT", b"TP/1.1\r\nHost: x\r\n", b"Connection: close\r\n", b"\r\n"):
            sock.sendall(piece)
        response = b""
        while chunk := sock.recv(4096):
            response += chunk
    assert response.startswith(b"HTTP/1.1 200 OK\r\n") and response.endswith(b"\r\n\r\nOK\n")


def test_connections_beyond_the_cap_are_closed_at_once_and_counted(serve):
    exporter, port, _ = serve(max_connections=3, header_timeout=30)
    held = half_open(port, 3)
    try:
        wait_for(lambda: exporter.stats.open == 3, timeout=5, what="three connections held")
        extra = socket.create_connection(("127.0.0.1", port), timeout=5)
        wait_for(lambda: closed_by_server(extra), timeout=5, what="connection beyond the cap closed")
        extra.close()
        assert exporter.stats.refused == 1
        held.pop().close()
        wait_for(lambda: exporter.stats.open == 2, timeout=5, what="a slot freed")
        body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        for sock in held:
            sock.close()
    assert "exporter_http_connections_refused_total 1\n" in body
    assert "exporter_http_connections_open 3\n" in body  # the two held and the scrape's own


def test_pipelined_requests_are_answered_in_order(serve):
    _, port, _ = serve()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                     b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = b""
        while chunk := sock.recv(4096):
            response += chunk
    assert response.count(b"HTTP/1.1 ") == 2
    assert response.index(b"200 OK") < response.index(b"404 Not Found")


def test_malformed_and_oversized_heads_are_refused(serve):
    _, port, _ = serve()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 400 Bad Request")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n" + b"X-Big: " + b"a" * 70000)
        assert sock.recv(4096).startswith(b"HTTP/1.1 431")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        reply = sock.recv(4096)
        assert reply.startswith(b"HTTP/1.1 405") and b"Allow: GET, HEAD" in reply


def test_tls_handshakes_never_block_the_loop(serve, tmp_path):
    pki = make_pki(tmp_path)
    config = tmp_path / "web.yml"
    config.write_text(f"tls_server_config:\n  cert_file: {pki['server.crt']}\n  key_file: {pki['server.key']}\n")
    exporter, port, _ = serve(web_config_file=str(config), header_timeout=0.5)
    # Clients that open TCP and never start (or never finish) the handshake ...
    stalled = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(50)]
    stalled[0].sendall(b"\x16\x03\x01\x00\x05")  # the start of a ClientHello record, then nothing
    try:
        # ... do not keep a TLS client from being served at once,
        context = ssl.create_default_context(cafile=str(pki["ca.crt"]))
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, \
                context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert tls.recv(4096).startswith(b"HTTP/1.1 200 OK")
        assert time.monotonic() - started < 0.5 <= exporter.config.header_timeout
        # ... and are closed after the deadline.
        wait_for(lambda: all(closed_by_server(sock) for sock in stalled), timeout=10, what="stalled closed")
    finally:
        for sock in stalled:
            sock.close()
    assert exporter.stats.header_timeouts == 50


def test_a_scrape_is_served_while_a_thousand_half_open_connections_are_open(start_node_exporter):
    daemon = start_node_exporter()
    before = threads_of(daemon.pid)
    sockets = half_open(daemon.port, 1000)
    try:
        started = time.monotonic()
        response = requests.get(f"http://127.0.0.1:{daemon.port}/metrics", timeout=10)
        elapsed = time.monotonic() - started
        assert response.status_code == 200 and "node_load1 " in response.text
        open_now = re.search(r"^exporter_http_connections_open (\S+)$", response.text, re.M)
        assert open_now and float(open_now.group(1)) >= 1001
        assert elapsed < 5, f"scrape took {elapsed:.1f}s with 1,000 half-open connections"
        # No thread per connection: the loop holds them all.
        assert threads_of(daemon.pid) - before < 10
        assert all(not closed_by_server(sock) for sock in sockets[:10])  # still held (deadline 10 s)
    finally:
        for sock in sockets:
            sock.close()


def _daemon_ports(kind: str, request) -> tuple[int, list[int]]:
    """Start one daemon of `kind`; its pid and the ports its HTTP servers listen on."""
    if kind == "node":
        daemon = request.getfixturevalue("start_node_exporter")()
        return daemon.pid, [daemon.port]
    if kind == "mysql":
        # No server behind it: mysql_up is 0, the HTTP side is what is tested here.
        daemon = request.getfixturevalue("start_mysql_exporter")("--mysqld.username=exporter",
                                                                  f"--mysqld.address=127.0.0.1:{free_port()}")
        return daemon.pid, [daemon.port]
    cluster = request.getfixturevalue("sim_cluster")
    daemon, telemetry = request.getfixturevalue("start_kube_exporter")(cluster.kubeconfig)
    return daemon.pid, [daemon.port, telemetry]


@pytest.mark.parametrize("kind", ["node", "mysql", "kube"])
def test_every_daemon_uses_the_shared_server(kind, request):
    pid, ports = _daemon_ports(kind, request)
    for port in ports:
        before = threads_of(pid)
        sockets = half_open(port, 300)
        try:
            response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            assert response.status_code == 200 and response.headers["Server"] == "exporter-suite"
            assert threads_of(pid) - before < 10, f"{kind} :{port} holds a thread per connection"
        finally:
            for sock in sockets:
                sock.close()



@pytest.mark.parametrize("kind", ["node", "mysql"])
def test_the_max_connections_flag_sets_the_cap(kind, request):
    cap = ["--web.max-connections=4"]
    if kind == "node":
        daemon = request.getfixturevalue("start_node_exporter")(*cap)
    else:  # its --exporter.max-connections (the MySQL pool) is another setting and must stay apart
        daemon = request.getfixturevalue("start_mysql_exporter")(*cap, "--exporter.max-connections=1",
                                                                 "--mysqld.username=exporter",
                                                                 f"--mysqld.address=127.0.0.1:{free_port()}")
    held: list[socket.socket] = []

    def four_held() -> bool:
        # The readiness probe's own connection may still be counted for a moment after the daemon answered it:
        # a fifth connection refused then is the cap working, so open the four again until all four stay.
        for sock in held:
            sock.close()
        held[:] = half_open(daemon.port, 4)
        return all(not closed_by_server(sock) for sock in held)

    try:
        wait_for(four_held, timeout=10, interval=0.2, what="four held")
        extra = socket.create_connection(("127.0.0.1", daemon.port), timeout=5)
        wait_for(lambda: closed_by_server(extra), timeout=5, what="the fifth closed at once")
        extra.close()
        held.pop().close()
        body = wait_for(lambda: requests.get(f"http://127.0.0.1:{daemon.port}/metrics", timeout=5).text,
                        timeout=10, what="a scrape once a slot is free")
    finally:
        for sock in held:
            sock.close()
    assert re.search(r"^exporter_http_connections_refused_total [1-9]", body, re.M)
