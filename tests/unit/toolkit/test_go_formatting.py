"""Sample values and label values written as Go's client_golang writes them (prometheus/common expfmt), by the
one formatter all three daemons share."""

from __future__ import annotations

import random
import re
import struct

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram

import kube_state_exporter.metric as kube_metric
from exporter_toolkit.exposition import (
    escape_label_value,
    format_openmetrics_value,
    format_value,
    render_openmetrics,
    render_text,
)
from kube_state_exporter.resources import Allowlists
from kube_state_exporter.resources.configmap import SPEC as CONFIGMAP
from kube_state_exporter.store import render as kube_render
from mysql_exporter.scrapers.global_variables import GlobalVariables
from node_exporter.cli import build_registry
from tests.exposition import go_float

# (value, text format, OpenMetrics): what expfmt's writeFloat and writeOpenMetricsFloat produce.
GO_WRITES = [
    (0.0, "0", "0.0"), (-0.0, "0", "0.0"), (1.0, "1", "1.0"), (-1.0, "-1", "-1.0"), (3.0, "3", "3.0"),
    (42.0, "42", "42.0"), (999999.0, "999999", "999999.0"), (1e6, "1e+06", "1e+06"),
    (-2000000.0, "-2e+06", "-2e+06"), (1234567.0, "1.234567e+06", "1.234567e+06"),
    (1.5e9, "1.5e+09", "1.5e+09"), (1.8446744073709552e19, "1.8446744073709552e+19", "1.8446744073709552e+19"),
    (1e21, "1e+21", "1e+21"), (1e100, "1e+100", "1e+100"), (0.25, "0.25", "0.25"), (0.0001, "0.0001", "0.0001"),
    (0.00012, "0.00012", "0.00012"), (1e-05, "1e-05", "1e-05"), (-1.5e-07, "-1.5e-07", "-1.5e-07"),
    (5e-324, "5e-324", "5e-324"), (0.1 + 0.2, "0.30000000000000004", "0.30000000000000004"),
    (123456.5, "123456.5", "123456.5"), (float("inf"), "+Inf", "+Inf"), (float("-inf"), "-Inf", "-Inf"),
    (float("nan"), "NaN", "NaN"),
]
GO_SAMPLE_VALUE = re.compile(r"^(?:[+-]Inf|NaN|-?\d+(?:\.\d*[1-9])?(?:e[+-]\d{2,3})?)$")


@pytest.mark.parametrize(("value", "text", "openmetrics"), GO_WRITES)
def test_values_as_client_golang_writes_them(value, text, openmetrics):
    assert format_value(value) == text
    assert format_openmetrics_value(value) == openmetrics


def test_integers_take_no_fraction():
    assert format_value(7) == "7" and format_value(True) == "1"


def test_every_double_agrees_with_strconv_g_shortest():
    """Random bit patterns and integers against an independent FormatFloat(v, 'g', -1, 64) (tests/exposition)."""
    rng = random.Random(21)
    values = [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(20000)]
    values += [float(rng.randint(-10**12, 10**12)) for _ in range(5000)] + [rng.uniform(-1e7, 1e7) for _ in range(5000)]
    values += [sign * 10.0**k for k in range(-30, 30) for sign in (1, -1)]
    for value in values:
        assert format_value(value) == go_float(value), value
        assert format_openmetrics_value(value) == go_float(value, openmetrics=True), value
        assert format_value(value) == "NaN" or float(format_value(value)) == value


def test_label_values_escaped_as_client_golang():
    assert escape_label_value('C:\\dir "quoted"\nnext') == 'C:\\\\dir \\"quoted\\"\\nnext'
    assert escape_label_value("plain {}=,") == "plain {}=,"
    assert escape_label_value("") == ""


def test_kube_state_metric_uses_the_one_formatter_and_escaper():
    assert kube_metric.format_value is format_value
    assert kube_metric.escape is escape_label_value


def _values(body: str) -> list[str]:
    return [line.rpartition(" ")[2] for line in body.splitlines() if line and not line.startswith("#")]


def _assert_go_values(body: str) -> None:
    values = _values(body)
    assert values
    for text in values:
        assert GO_SAMPLE_VALUE.match(text), text
        assert text == go_float(float(text)), text


def test_node_exporter_output(node_fixture_paths):
    registry = build_registry({"collector__meminfo": True, "collector__loadavg": True, "collector__stat": True,
                               "disable_defaults": True}, node_fixture_paths)
    body = render_text(registry.collect()).decode()
    _assert_go_values(body)
    assert "node_memory_MemTotal_bytes 2.5276063744e+10\n" in body
    assert "node_boot_time_seconds 1.79566379e+09\n" in body
    assert 'node_scrape_collector_success{collector="meminfo"} 1\n' in body


class _Variables:
    def name_values(self, _sql: str, _table: str):
        return [("max_connections", "151"), ("key_buffer_size", "8388608"), ("long_query_time", "10.000000"),
                ("version", 'x "8.0"\\n'), ("innodb_version", "8.0.36"), ("version_comment", "line\nbreak")]


def test_mysql_exporter_output():
    body = render_text(GlobalVariables().scrape(_Variables())).decode()
    _assert_go_values(body)
    assert "mysql_global_variables_key_buffer_size 8.388608e+06\n" in body
    assert "mysql_global_variables_max_connections 151\n" in body
    assert 'version="x \\"8.0\\"\\\\n",version_comment="line\\nbreak"} 1\n' in body


def test_kube_state_exporter_output():
    configmap = {"metadata": {"name": 'a"b', "namespace": "ns\\x", "creationTimestamp": "2023-11-14T22:13:20Z",
                              "resourceVersion": "12345678"}}
    prefix = kube_metric.label_prefix(("namespace", "configmap"), ("ns\\x", 'a"b'))
    body = b"".join(kube_render(CONFIGMAP.families(Allowlists()), prefix, configmap)).decode()
    _assert_go_values(body)
    assert 'kube_configmap_created{namespace="ns\\\\x",configmap="a\\"b"} 1.7e+09\n' in body
    assert 'kube_configmap_metadata_resource_version{namespace="ns\\\\x",configmap="a\\"b"} 1.2345678e+07\n' in body
    assert 'kube_configmap_info{namespace="ns\\\\x",configmap="a\\"b"} 1\n' in body


def test_openmetrics_of_prometheus_client_metrics_gets_go_values_too():
    """Metrics that are not our Family (a client Counter, a Histogram with an exemplar) go through
    prometheus_client's OpenMetrics encoder; their sample values still come out as Go writes them."""
    registry = CollectorRegistry(auto_describe=False)
    Counter("test_rows", "Rows.", ["path"], registry=registry).labels('a "b} c\\').inc(1234567)
    Histogram("test_seconds", "Seconds.", buckets=(1.0,), registry=registry).observe(3e6, {"trace_id": "x y"})
    body = render_openmetrics(registry.collect()).decode()
    assert 'test_rows_total{path="a \\"b} c\\\\"} 1.234567e+06\n' in body
    assert 'test_seconds_bucket{le="+Inf"} 1.0 # {trace_id="x y"} 3e+06' in body  # exemplars as the client wrote
    assert "test_seconds_sum 3e+06\n" in body and 'test_seconds_bucket{le="1.0"} 0.0\n' in body
    assert body.endswith("# EOF\n")
