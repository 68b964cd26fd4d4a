"""The perf collector (node_exporter/collectors/perf.py)."""

from __future__ import annotations

import errno
import os

import pytest

from exporter_toolkit.exposition import render_openmetrics, render_text
from node_exporter.collector import Context, NoDataError
from node_exporter.collectors import perf
from tests.unit.node.helpers import collect, value


def test_perf_cpu_list_syntax():
    assert perf.parse_cpus(None, None, "0,2-4") == [0, 2, 3, 4]
    assert perf.parse_cpus(None, None, "1-10:5") == [1, 6]
    assert perf.parse_cpus(None, None, "") is None


def test_perf_software_counters_on_this_host():
    collector = perf.PerfCollector(Context(options={"perf_cpus": [0]}))
    if not collector.events:
        with pytest.raises(NoDataError):  # perf_event_paranoid or no CAP_PERFMON: nothing to report, as Go
            collect(collector)
        return
    first = value(collect(collector), "node_perf_context_switches_total", cpu="0")
    for _ in range(50):
        os.sched_yield()
    families = collect(collector)
    assert set(families["node_perf_page_faults_total"]["rows"]) == {(("cpu", "0"),)}
    assert value(families, "node_perf_context_switches_total", cpu="0") >= first


def test_perf_tracepoints_are_bare_named_counters(tmp_path, monkeypatch):
    """Go serves node_perf_SUBSYSTEM_EVENT typed counter without _total. The kernel side is faked (no tracefs
    here): a tracefs id file, and each CPU's event fd a pipe holding one perf reading."""
    (tmp_path / "events" / "sched" / "sched_switch").mkdir(parents=True)
    (tmp_path / "events" / "sched" / "sched_switch" / "id").write_text("316\n")
    monkeypatch.setattr(perf, "TRACEFS", (str(tmp_path),))

    def fake_open(kind: int, config: int, cpu: int) -> int:
        if (kind, config) != (perf.TYPE_TRACEPOINT, 316):
            raise OSError(errno.ENOENT, "not on this fake PMU")
        read_end, write_end = os.pipe()
        os.write(write_end, perf.READING.pack(100 * cpu + 5, 1, 1))
        os.close(write_end)
        return read_end

    monkeypatch.setattr(perf, "perf_event_open", fake_open)
    options = {"perf_cpus": [0, 1], "perf_tracepoint": [("sched", "sched_switch")]}
    (family,) = list(perf.PerfCollector(Context(options=options)).update())
    assert family.type == "counter"
    assert family.name == family.sample_name == "node_perf_sched_sched_switch"
    assert sorted(family.rows) == [(["0"], 5.0), (["1"], 105.0)]
    text = render_text([family]).decode()
    assert text.startswith("# HELP node_perf_sched_sched_switch Perf tracepoint sched:sched_switch\n"
                           "# TYPE node_perf_sched_sched_switch counter\n")
    assert 'node_perf_sched_sched_switch{cpu="1"} 105\n' in text
    assert "# TYPE node_perf_sched_sched_switch unknown\n" in render_openmetrics([family]).decode()


def test_perf_missing_tracepoint_fails_the_collector(monkeypatch):
    monkeypatch.setattr(perf, "TRACEFS", ("/nonexistent/tracing",))
    collector = perf.PerfCollector(Context(options={"perf_cpus": [0], "perf_tracepoint": [("sched", "nope")]}))
    with pytest.raises(OSError, match="tracepoint sched:nope not found"):
        collect(collector)
