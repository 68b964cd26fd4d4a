"""Our fast renderers must produce what prometheus_client produces in both formats, byte for byte, except sample
values, which are written as Go's client_golang writes them (tests/exposition.go_float)."""

from __future__ import annotations

import pytest
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Summary,
    disable_created_metrics,
    enable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, UnknownMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics_latest
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_text

from exporter_toolkit.exposition import registry_handler, render_openmetrics, render_text, wants_openmetrics
from exporter_toolkit.families import counter, gauge, raw_counter, untyped
from tests.exposition import with_go_values

AWKWARD_VALUES = [0.0, 1.0, -2.5, 1e-9, 123456789.0, 1.8446744073709552e19, float("inf"), float("-inf"),
                  float("nan"), 0.1 + 0.2, 7e6, 9999999.0, 10000000.0]


class FamiliesCollector:
    def collect(self):
        g = gauge("test_gauge", 'A gauge with "quotes", back\\slash and\nnewline.', ["b_label", "a_label"])
        for i, value in enumerate(AWKWARD_VALUES):
            g.add_metric([f'value "{i}"\n\\', f"a{i}"], value)
        yield g
        c = counter("test_events_total", "Events.", ["kind"])
        c.add_metric(["x"], 3)
        yield c
        yield untyped("test_untyped", "Untyped.", value=42)
        yield gauge("test_single", "Single.", value=7e10)
        yield counter("test_empty_total", "No rows.", ["kind"])
        stock = GaugeMetricFamily("test_stock", "A stock prometheus_client family.", labels=["z", "y"])
        stock.add_metric(["1", "2"], 0.5)
        yield stock
        info = InfoMetricFamily("test_build", "Info.", value={"version": "1.2.3"})
        yield info


@pytest.fixture(autouse=True)
def no_created_series():
    """Our renderer never writes _created series; compare with prometheus_client configured the same way."""
    disable_created_metrics()
    yield
    enable_created_metrics()


@pytest.fixture
def registry():
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FamiliesCollector())
    Counter("test_requests_total", "Requests.", ["code"], registry=registry).labels("200").inc(5)
    Gauge("test_in_flight", "In flight.", registry=registry).set(2)
    Histogram("test_latency_seconds", "Latency.", registry=registry).observe(0.3)
    Summary("test_size_bytes", "Sizes.", registry=registry).observe(512)
    return registry


def test_text_matches_prometheus_client_byte_for_byte(registry):
    assert render_text(registry.collect()) == with_go_values(generate_latest(registry))


def test_openmetrics_matches_prometheus_client_byte_for_byte(registry):
    assert render_openmetrics(registry.collect()) == with_go_values(openmetrics_latest(registry), openmetrics=True)


def test_families_render_identically_through_stock_sample_path(registry):
    """Family.samples (used by any other encoder) agrees with its rows."""
    family = next(iter(FamiliesCollector().collect()))
    assert len(family.samples) == len(AWKWARD_VALUES)
    assert family.samples[0].labels == {"b_label": 'value "0"\n\\', "a_label": "a0"}


@pytest.mark.parametrize(("accept", "openmetrics"), [
    ("", False),
    ("text/plain;version=0.0.4", False),
    ("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5", True),
    ("text/plain, application/openmetrics-text; version=0.0.1", True),
])
def test_content_negotiation(accept, openmetrics, registry):
    assert wants_openmetrics(accept) is openmetrics
    content_type, body = registry_handler(registry)({"Accept": accept}, {})
    assert content_type.startswith("application/openmetrics-text" if openmetrics else "text/plain")
    assert body.endswith(b"# EOF\n") is openmetrics


# --- counters named without _total (the Go exporters' bare-named counters) --------------------------------------

BARE_ROWS = [(["read", 'a "quoted"\nfile'], 3.0), (["write", "b"], 1.8446744073709552e19), (["read", "c"], 0.5)]


def bare_families(stock_class):
    """The same rows as a raw_counter() and as a stock prometheus_client family of another type."""
    ours = raw_counter("test_file_bytes", "Bytes moved, by mode.", ["mode", "file"])
    stock = stock_class("test_file_bytes", "Bytes moved, by mode.", labels=["mode", "file"])
    for values, value in BARE_ROWS:
        ours.add_metric(values, value)
        stock.add_metric(values, value)
    return ours, stock


class _Registry:
    def __init__(self, *metrics) -> None:
        self.metrics = metrics

    def collect(self):
        return list(self.metrics)


def test_bare_counter_text_is_a_counter_under_its_own_name():
    """Go's text encoder: HELP, TYPE counter and samples all under the bare name; every byte but the TYPE word
    is what prometheus_client writes for a gauge of those rows."""
    ours, stock = bare_families(GaugeMetricFamily)
    expected = with_go_values(generate_latest(_Registry(stock))).replace(b"# TYPE test_file_bytes gauge\n",
                                                          b"# TYPE test_file_bytes counter\n")
    assert b"# TYPE test_file_bytes counter\n" in expected
    assert render_text([ours]) == expected
    (parsed,) = parse_text(render_text([ours]).decode())
    assert (parsed.name, parsed.type, len(parsed.samples)) == ("test_file_bytes", "counter", len(BARE_ROWS))


def test_bare_counter_openmetrics_is_unknown_under_its_own_name():
    """OpenMetrics forbids a counter sample without _total: typed unknown, same name, as Go's encoder does; the
    bytes are prometheus_client's for an unknown family of those rows."""
    ours, stock = bare_families(UnknownMetricFamily)
    body = render_openmetrics([ours])
    assert body == with_go_values(openmetrics_latest(_Registry(stock)), openmetrics=True)
    (parsed,) = parse_openmetrics(body.decode())
    assert (parsed.name, parsed.type) == ("test_file_bytes", "unknown")
    assert {sample.name for sample in parsed.samples} == {"test_file_bytes"}
    # The reason: the same lines typed counter are refused by an OpenMetrics parser.
    with pytest.raises(ValueError):
        list(parse_openmetrics(body.decode().replace(" unknown\n", " counter\n")))


def test_bare_counter_among_others_leaves_their_bytes_alone(registry):
    ours, _ = bare_families(GaugeMetricFamily)
    text = render_text([*registry.collect(), ours])
    assert text.startswith(with_go_values(generate_latest(registry)))
    assert text.endswith(render_text([ours]))
    openmetrics = render_openmetrics([ours, *registry.collect()])
    assert openmetrics.endswith(with_go_values(openmetrics_latest(registry), openmetrics=True))
    assert openmetrics.startswith(render_openmetrics([ours])[: -len(b"# EOF\n")])


def test_raw_counter_named_total_is_an_ordinary_counter():
    bare, plain = raw_counter("test_ops_total", "Ops.", value=4), counter("test_ops_total", "Ops.", value=4)
    assert (bare.name, bare.sample_name) == ("test_ops", "test_ops_total")
    assert render_text([bare]) == render_text([plain]) == with_go_values(generate_latest(_Registry(plain)))
    assert render_openmetrics([bare]) == with_go_values(openmetrics_latest(_Registry(plain)), openmetrics=True)


def test_bare_counter_samples_for_other_encoders():
    family = raw_counter("test_single_bytes", "One.", value=7)
    assert [(s.name, s.labels, s.value) for s in family.samples] == [("test_single_bytes", {}, 7.0)]


# --- stock prometheus_client metrics in OpenMetrics: plain kinds written here, the rest by prometheus_client -------

def _stock_metrics():
    """Plain kinds (written by exposition.py itself) and what only prometheus_client's encoder writes: a colon in
    a name (it writes the sample name with _), a timestamp, a unit, an info family."""
    from prometheus_client.core import CounterMetricFamily, Metric
    escaped = GaugeMetricFamily("test_escaped", 'Help with "quotes", back\\slash\nand newline.', labels=["z", "a"])
    escaped.add_metric(['va"l\\ue\n', "x"], 1234567.0)
    escaped.add_metric(["2", "y"], -0.5)
    counted = CounterMetricFamily("test_calls", "Calls.", labels=["code"])
    counted.add_metric(["200"], 7)
    colon = GaugeMetricFamily("test:recorded", "Colon.", value=2)
    stamped = GaugeMetricFamily("test_stamped", "Timestamped.")
    stamped.add_metric([], 3, timestamp=1700000000.5)
    unit = GaugeMetricFamily("test_temperature_celsius", "With a unit.", unit="celsius", value=21.5)
    untyped_stock = Metric("test_stock_unknown", "Unknown.", "unknown")
    untyped_stock.add_sample("test_stock_unknown", {"b": "1", "a": "2"}, 1e-7)
    info = InfoMetricFamily("test_info", "Info.", value={"k": "v"})
    return [escaped, counted, colon, unit, untyped_stock, info, stamped]


@pytest.mark.parametrize("index", range(6))
def test_stock_metrics_openmetrics_match_prometheus_client(index):
    metric = _stock_metrics()[index]
    assert render_openmetrics([metric]) == with_go_values(openmetrics_latest(_Registry(metric)), openmetrics=True)


def test_stock_metric_timestamp_stays_as_prometheus_client_writes_it():
    stamped = _stock_metrics()[-1]
    assert render_openmetrics([stamped]).endswith(b"\ntest_stamped 3.0 1700000000.5\n# EOF\n")


def test_stock_metrics_openmetrics_with_created_series():
    """With prometheus_client's _created series on, they are written as it writes them."""
    enable_created_metrics()
    registry = CollectorRegistry(auto_describe=False)
    Counter("test_made_total", "Made.", ["kind"], registry=registry).labels("a").inc()
    body = render_openmetrics(registry.collect())
    assert b"test_made_created{" in body
    assert body == with_go_values(openmetrics_latest(registry), openmetrics=True)


@pytest.mark.parametrize("labels", [["a"], ["b", "a"], ["c", "a", "b"]])
def test_rows_with_the_wrong_number_of_label_values_are_refused(labels):
    """A collector bug (a row not matching its label names) fails the render instead of writing a wrong series."""
    family = gauge("test_rows", "Rows.", labels)
    family.add_metric(["x"] * (len(labels) + 1), 1.0)
    with pytest.raises(ValueError):
        render_text([family])
    with pytest.raises(ValueError):
        render_openmetrics([family])


def test_rows_with_three_labels_are_sorted_and_escaped():
    family = gauge("test_rows", "Rows.", ["c", "a", "b"])
    family.add_metric(['3"', "1\n", "2\\"], 2.0)
    assert render_text([family]).endswith(b'test_rows{a="1\\n",b="2\\\\",c="3\\""} 2\n')
