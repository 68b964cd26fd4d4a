"""HTTP request heads from anyone who can reach a daemon's port: parse_head gives a Request or BadRequest, never
another exception; over a real socket to a running exporter, random and malformed bytes get an HTTP answer
(400, 404, 405, 431, ...) or a closed connection, and the next scrape is served."""

from __future__ import annotations

import http.client
import socket
import threading

from hypothesis import example, given
from hypothesis import strategies as st

from exporter_toolkit.request import MAX_HEAD_BYTES, BadRequest, parse_head
from exporter_toolkit.server import Exporter, ServerConfig
from testbed.harness import free_port
from tests.fuzz.support import examples, tried

ANSWERS = {200, 400, 401, 404, 405, 431, 503}

methods = st.one_of(st.sampled_from(["GET", "HEAD", "POST", "get", "G ET", "", "CONNECT", "\x00", "GET\t"]),
                    st.text(max_size=10))
targets = st.one_of(st.sampled_from(["/metrics", "/", "/healthz", "/metrics?x=%zz&&=&a", "*", "http://[::1",
                                     "/metrics?" + "a=1&" * 200, "//", "/%00", "/\u00e9", "http://h/metrics"]),
                    st.text(max_size=40))
versions = st.one_of(st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1 ", "http/1.1", "", "HTTP/1"]),
                     st.text(max_size=10))
header_lines = st.one_of(
    st.sampled_from(["Host: x", "Connection: close", "Connection: keep-alive", "Accept-Encoding: gzip",
                     "Content-Length: 5", "Content-Length: -1", "Content-Length: 99999999999999999999",
                     "Transfer-Encoding: chunked", "Accept: application/openmetrics-text;version=1.0.0",
                     "Authorization: Basic !!!", "Authorization: Basic " + "QQ==" * 10, " folded: x", "NoColon",
                     ": empty", "X-Prometheus-Scrape-Timeout-Seconds: nan", "Accept: " + "x," * 2000]),
    st.builds(lambda n, v: f"{n}:{v}", st.text(max_size=20), st.text(max_size=60)))
line_ends = st.sampled_from(["\r\n", "\n", "\r", "\r\n\r\n", "\x00"])


@st.composite
def heads(draw) -> bytes:
    """A request head, well formed or broken anywhere, with its end or without."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2000))
    line = f"{draw(methods)} {draw(targets)} {draw(versions)}"
    if draw(st.booleans()):
        line = line.replace(" ", draw(st.sampled_from(["", "  ", "\t"])), draw(st.integers(0, 2)))
    parts = [line, *draw(st.lists(header_lines, max_size=8))]
    text = draw(line_ends).join(parts) if draw(st.integers(0, 4)) == 0 else "\r\n".join(parts)
    data = text.encode(draw(st.sampled_from(["utf-8", "latin-1"])), "replace")
    if draw(st.integers(0, 9)) == 0:
        data += b"X-Big: " + b"a" * draw(st.integers(MAX_HEAD_BYTES - 100, MAX_HEAD_BYTES + 5000))
    return data + draw(st.sampled_from([b"\r\n\r\n", b"\r\n\r\n", b"\r\n", b"", b"\r\n\r\nGET / HTTP/1.1\r\n\r\n"]))


@examples(1000)
@given(st.one_of(heads(), st.binary(max_size=500)))
def test_parse_head_gives_a_request_or_bad_request(head: bytes) -> None:
    tried("HTTP request head (parser)")
    head = head.split(b"\r\n\r\n")[0]
    try:
        request = parse_head(head)
    except BadRequest:
        return
    assert request.version in ("HTTP/1.1", "HTTP/1.0") and request.method.isalpha()
    assert isinstance(request.keep_alive, bool) and isinstance(request.has_body, bool)


class ServedExporter:
    """An exporter on a loopback port, in this process, answering "up 1" and counting its scrapes."""

    def __init__(self) -> None:
        self.scrapes = 0
        self.port = free_port()
        self.exporter = Exporter(ServerConfig(name="fuzz", description="fuzz", version="0", metrics=self.metrics,
                                              listen_addresses=[f"127.0.0.1:{self.port}"], header_timeout=2.0,
                                              idle_timeout=2.0))
        self.exporter.bind()
        self.thread = threading.Thread(target=self.exporter.serve, kwargs={"install_signal_handlers": False},
                                       daemon=True)
        self.thread.start()

    def metrics(self, _headers, _query):
        self.scrapes += 1
        return "text/plain; version=0.0.4", b"up 1\n"

    def scrape(self) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", "/metrics")
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        self.exporter.stop()
        self.thread.join(10)


_SERVED: list[ServedExporter] = []


def served() -> ServedExporter:
    """One exporter for every example (started on first use, stopped at exit of the process's tests)."""
    if not _SERVED:
        _SERVED.append(ServedExporter())
    return _SERVED[0]


def exchange(port: int, data: bytes) -> bytes:
    """Send the bytes, close our side, and read the first response head (b"" when the server just closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:  # the server cut us off while we were still sending (431): read what it said
            pass
        received = b""
        try:
            while b"\r\n\r\n" not in received and (chunk := sock.recv(65536)):
                received += chunk
        except ConnectionResetError:
            pass
        return received


@examples(150)
@given(heads())
@example(b"GET /metrics HTTP/1.1\r\nX: " + b"a" * (2 * MAX_HEAD_BYTES))
@example(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64))  # a TLS ClientHello on a plain port
@example(b"GET http://[::1 HTTP/1.1\r\n\r\n")
def test_malformed_requests_are_answered_or_closed_and_the_next_scrape_is_served(head: bytes) -> None:
    tried("HTTP request (socket)")
    server = served()
    answer = exchange(server.port, head)
    if answer:
        status_line = answer.split(b"\r\n", 1)[0]
        assert status_line.startswith(b"HTTP/1.1 "), answer[:200]
        assert int(status_line.split()[1]) in ANSWERS, status_line
    before = server.scrapes
    assert server.scrape() == (200, b"up 1\n")
    assert server.scrapes == before + 1 and server.thread.is_alive()


def teardown_module() -> None:
    while _SERVED:
        _SERVED.pop().stop()
