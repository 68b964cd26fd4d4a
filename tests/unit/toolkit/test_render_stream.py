"""render_stream(): the bytes of render(), one family per chunk, each family taken only when its chunk is asked
for; and the MySQL exporter's handed_over(), which lets go of each family as it is taken."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, InfoMetricFamily

from exporter_toolkit.exposition import render, render_stream
from exporter_toolkit.families import counter, gauge, raw_counter
from mysql_exporter.cli import handed_over

PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"


def families() -> list:
    g = gauge("mysql_global_status_threads", 'Threads "now".\nSecond line \\.', ["state", "a"])
    g.add_metric(["running", 'quo"te'], 3)
    g.add_metric(["idle\n", "x"], 1.5e-7)
    c = counter("mysql_exporter_scrapes_total", "Scrapes.", value=12)
    raw = raw_counter("mysql_perf_schema_file_instances_bytes", "Bytes.", ["file_name", "mode"])
    raw.add_metric(["ibdata1", "read"], 1e9)
    stock = CounterMetricFamily("process_cpu_seconds", "CPU.", value=0.25)
    hist = HistogramMetricFamily("mysql_info_schema_query_response_time_seconds", "Histogram.",
                                 buckets=[("0.1", 2), ("+Inf", 5)], sum_value=1.5)
    info = InfoMetricFamily("mysql_version", "Version.", value={"version": "10.11"})
    return [g, c, raw, stock, hist, info, gauge("mysql_up", "Up.", value=1)]


@pytest.mark.parametrize("accept", [PROMETHEUS_ACCEPT, "text/plain", ""])
def test_stream_joins_to_the_bytes_of_render(accept: str) -> None:
    ctype, body = render(families(), accept)
    stream_ctype, chunks = render_stream(families(), accept)
    assert stream_ctype == ctype
    assert b"".join(chunks) == body


@pytest.mark.parametrize("accept", [PROMETHEUS_ACCEPT, "text/plain"])
def test_stream_takes_one_family_per_chunk(accept: str) -> None:
    taken: list[str] = []

    def source() -> Iterator:
        for family in families():
            taken.append(family.name)
            yield family

    _, chunks = render_stream(source(), accept)
    assert taken == []
    first = next(chunks)
    assert taken == ["mysql_global_status_threads"]
    assert b"mysql_global_status_threads" in first and b"mysql_exporter_scrapes" not in first
    next(chunks)
    assert taken == ["mysql_global_status_threads", "mysql_exporter_scrapes"]


def test_handed_over_yields_in_order_and_empties_the_list() -> None:
    scraped = families()
    names = [family.name for family in scraped]
    given = handed_over(scraped)
    assert next(given).name == names[0]
    assert len(scraped) == len(names) - 1  # the first family is no longer held by the list
    assert [family.name for family in given] == names[1:]
    assert scraped == []
