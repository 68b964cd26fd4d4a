"""The supervisord collector (node_exporter/collectors/supervisord.py)."""

from __future__ import annotations

import socket

import pytest

from exporter_toolkit.exposition import render_text
from node_exporter.collector import Context
from node_exporter.collectors.supervisord import SupervisordCollector
from tests.node_fakes import (
    Supervisord,
    supervisord_process,
)
from tests.unit.node.helpers import collect, value


def test_supervisord_over_xmlrpc():
    processes = [supervisord_process("api", "web", 20, 1700000000), supervisord_process("job", "batch", 100, 0, 3),
                 supervisord_process("boot", "web", 10, 1700000100)]
    with Supervisord(processes) as server:
        collector = SupervisordCollector(Context(options={"supervisord_url": server.url}))
        families = collect(collector)
        text = render_text(collector.update()).decode()
    assert value(families, "node_supervisord_up", name="api", group="web") == 1.0
    assert value(families, "node_supervisord_up", name="job", group="batch") == 0.0
    assert value(families, "node_supervisord_up", name="boot", group="web") == 1.0  # STARTING counts as running
    assert value(families, "node_supervisord_exit_status", name="job", group="batch") == 3.0
    assert value(families, "node_supervisord_state", name="job", group="batch") == 100.0
    assert families["node_supervisord_start_time_seconds"]["rows"] == {
        (("group", "web"), ("name", "api")): 1700000000.0, (("group", "web"), ("name", "boot")): 1700000100.0}
    # Go's type and name: a counter without _total.
    assert families["node_supervisord_start_time_seconds"]["type"] == "counter"
    assert "# TYPE node_supervisord_start_time_seconds counter\n" in text
    assert 'node_supervisord_start_time_seconds{group="web",name="api"} 1.7e+09\n' in text


def test_supervisord_unreachable_is_an_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/RPC2"  # bound, not listening: refused
        with pytest.raises(RuntimeError, match="unable to call supervisord"):
            collect(SupervisordCollector(Context(options={"supervisord_url": url})))
