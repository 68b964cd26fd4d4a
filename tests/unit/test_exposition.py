"""Our fast renderers must produce exactly what prometheus_client produces, in both formats."""

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
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics_latest

from exporter_toolkit.exposition import registry_handler, render_openmetrics, render_text, wants_openmetrics
from exporter_toolkit.families import counter, gauge, untyped

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
    assert render_text(registry.collect()) == generate_latest(registry)


def test_openmetrics_matches_prometheus_client_byte_for_byte(registry):
    assert render_openmetrics(registry.collect()) == openmetrics_latest(registry)


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
