"""The HTTP side of the shared runtime, exercised over real sockets: endpoints, gzip, negotiation, the
concurrent-scrape bound, graceful stop with a scrape in flight, and SIGTERM on the real daemon."""

from __future__ import annotations

import gzip
import http.client
import signal
import threading

import pytest
import requests

from exporter_toolkit.server import Exporter, ServerConfig
from testbed.harness import free_port, wait_for


def test_endpoints_of_the_real_daemon(start_node_exporter):
    daemon = start_node_exporter()
    base = f"http://127.0.0.1:{daemon.port}"
    landing = requests.get(base + "/", timeout=5)
    assert landing.status_code == 200 and 'href="/metrics"' in landing.text
    assert requests.get(base + "/healthz", timeout=5).text == "OK\n"
    assert requests.get(base + "/readyz", timeout=5).status_code == 200
    assert requests.get(base + "/nope", timeout=5).status_code == 404

    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=5)
    conn.request("GET", "/metrics", headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Content-Type").startswith("text/plain; version=0.0.4")
    text = gzip.decompress(response.read()).decode()
    assert "node_load1 " in text and 'node_scrape_collector_success{collector="cpu"} 1\n' in text
    assert "process_resident_memory_bytes" in text and 'promhttp_metric_handler_requests_total{code="200"}' in text

    om = requests.get(base + "/metrics", headers={"Accept": "application/openmetrics-text;version=1.0.0"}, timeout=5)
    assert om.headers["Content-Type"].startswith("application/openmetrics-text")
    assert om.text.endswith("# EOF\n") and "# TYPE node_cpu_seconds counter" in om.text


def test_telemetry_path_and_disable_exporter_metrics(start_node_exporter):
    daemon = start_node_exporter("--web.telemetry-path=/node", "--web.disable-exporter-metrics")
    base = f"http://127.0.0.1:{daemon.port}"
    assert requests.get(base + "/metrics", timeout=5).status_code == 404
    body = requests.get(base + "/node", timeout=5).text
    assert "node_load1" in body and "process_" not in body and "promhttp_" not in body


def test_sigterm_exits_zero(start_node_exporter):
    daemon = start_node_exporter()
    assert requests.get(f"http://127.0.0.1:{daemon.port}/metrics", timeout=5).status_code == 200
    daemon.process.send_signal(signal.SIGTERM)
    assert daemon.process.wait(10) == 0
    assert "Shutting down" in daemon.log()


class BlockingMetrics:
    """A metrics handler that holds each scrape until released, to have scrapes in flight on demand."""

    def __init__(self) -> None:
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()

    def __call__(self, _headers, _query):
        self.entered.release()
        self.release.wait(10)
        return "text/plain; version=0.0.4", b"up 1\n"


@pytest.fixture
def blocking_exporter():
    metrics = BlockingMetrics()
    port = free_port()
    exporter = Exporter(ServerConfig(name="t", description="t", version="0", metrics=metrics,
                                     listen_addresses=[f"127.0.0.1:{port}"], max_requests=1))
    thread = threading.Thread(target=exporter.serve, kwargs={"install_signal_handlers": False})
    thread.start()
    wait_for(lambda: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok, what="exporter")
    yield exporter, metrics, port, thread
    metrics.release.set()
    exporter.stop()
    thread.join(10)


def _scrape_in_background(port: int, results: list) -> threading.Thread:
    def run():
        results.append(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=15))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_concurrent_scrapes_beyond_the_bound_get_503(blocking_exporter):
    _exporter, metrics, port, _thread = blocking_exporter
    results: list = []
    first = _scrape_in_background(port, results)
    assert metrics.entered.acquire(timeout=10)
    second = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert second.status_code == 503
    assert "Limit of concurrent requests reached (1)" in second.text
    metrics.release.set()
    first.join(10)
    assert results[0].status_code == 200


def test_stop_finishes_the_scrape_in_flight(blocking_exporter):
    exporter, metrics, port, thread = blocking_exporter
    results: list = []
    scrape = _scrape_in_background(port, results)
    assert metrics.entered.acquire(timeout=10)
    exporter.stop()
    thread.join(0.5)
    assert thread.is_alive(), "serve() returned while a scrape was still in flight"
    metrics.release.set()
    scrape.join(10)
    thread.join(10)
    assert not thread.is_alive()
    assert results[0].status_code == 200 and results[0].text == "up 1\n"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2)


def test_every_interface_falls_back_to_ipv4_when_ipv6_is_off(monkeypatch):
    import errno

    from exporter_toolkit import server as server_module

    real = server_module._listen
    hosts = []

    def without_ipv6(host, port):
        hosts.append(host)
        if host in ("", "::"):
            raise OSError(errno.EAFNOSUPPORT, "Address family not supported by protocol")
        return real(host, port)

    monkeypatch.setattr(server_module, "_listen", without_ipv6)
    port = free_port()
    exporter = Exporter(ServerConfig(name="t", description="t", version="0", metrics=BlockingMetrics(),
                                     listen_addresses=[f":{port}"]))
    assert exporter.bind() == [("0.0.0.0", port)]
    assert hosts == ["", "0.0.0.0"]
    exporter.close()


def _serve_in_thread(metrics, **overrides) -> tuple[Exporter, threading.Thread, int]:
    port = free_port()
    exporter = Exporter(ServerConfig(name="t", description="t", version="0", metrics=metrics,
                                     listen_addresses=[f"127.0.0.1:{port}"], **overrides))
    exporter.bind()
    thread = threading.Thread(target=exporter.serve, kwargs={"install_signal_handlers": False})
    thread.start()
    return exporter, thread, port


def test_streamed_bodies_are_chunked_and_gzipped_on_the_fly():
    lines = [f'big_series{{i="{i}"}} {i}\n'.encode() for i in range(200_000)]  # ~5 MB in small pieces
    expected = b"".join(lines)
    exporter, thread, port = _serve_in_thread(lambda _h, _q: ("text/plain; version=0.0.4", iter(lines)))
    try:
        plain = requests.get(f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "identity"}, timeout=30)
        assert plain.headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in plain.headers
        assert plain.content == expected
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/metrics", headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        assert response.getheader("Content-Encoding") == "gzip"
        assert response.getheader("Transfer-Encoding") == "chunked"
        compressed = response.read()
        assert len(compressed) < len(expected) / 4 and gzip.decompress(compressed) == expected
        conn.request("HEAD", "/metrics")  # the same keep-alive connection: headers only
        head = conn.getresponse()
        assert head.status == 200 and head.read() == b""
        conn.close()
    finally:
        exporter.stop()
        thread.join(10)


def test_a_body_failing_midway_is_cut_short_and_the_server_keeps_serving():
    def failing(_headers, _query):
        def body():
            yield b"up 1\n" * 20_000
            raise RuntimeError("collector broke")
        return "text/plain; version=0.0.4", body()

    exporter, thread, port = _serve_in_thread(failing)
    try:
        # Part of the body went out: the client sees it incomplete.
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            requests.get(f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "identity"}, timeout=10)
        # Compressed, nothing went out before the failure: a 500 says what happened.
        failed = requests.get(f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert failed.status_code == 500 and "collector broke" in failed.text
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).text == "OK\n"
    finally:
        exporter.stop()
        thread.join(10)
