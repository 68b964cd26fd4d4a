"""The hand-written protobuf exposition, decoded by the `protobuf` package with message types built from the
documented metrics.proto: every metric type, native buckets as spans and deltas, exemplars, negotiation."""

from __future__ import annotations

import math
import random

from prometheus_client import Enum, Info, Summary
from prometheus_client.core import GaugeHistogramMetricFamily

from app_instrumentation import counter, gauge, histogram, metrics_response
from app_instrumentation.native import bucket_key
from app_instrumentation.protobuf import CONTENT_TYPE, accepts_protobuf, generate
from app_instrumentation.testing import fresh_registry
from tests.unit.app_instrumentation.metrics_proto import METRIC_TYPES, by_name, native_buckets

PROMETHEUS_ACCEPT = ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;"
                     "q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1")  # what Prometheus 2.42 sends


def labels(metric) -> dict[str, str]:
    return {pair.name: pair.value for pair in metric.label}


def test_native_histogram_buckets_decode_to_what_was_observed():
    registry = fresh_registry()
    latency = histogram("rpc_seconds", "RPC latency.", ["service"], native_bucket_factor=1.1, registry=registry)
    rng = random.Random(11)
    values = [rng.lognormvariate(-3, 1.5) for _ in range(3000)] + [-0.5, -0.5, -7.0, 0.0, 1e-45]
    for value in values:
        latency.labels("billing").observe(value)
    family = by_name(generate(registry))["rpc_seconds"]
    assert METRIC_TYPES[family.type] == "HISTOGRAM" and family.help == "RPC latency."
    (metric,) = family.metric
    assert labels(metric) == {"service": "billing"}
    h = metric.histogram
    assert h.sample_count == len(values) and math.isclose(h.sample_sum, sum(values))
    assert h.schema == 3 and h.zero_threshold == 2.0**-128 and h.zero_count == 2
    expected_positive, expected_negative = {}, {}
    for value in values:
        if value > 2.0**-128:
            key = bucket_key(value, 3)
            expected_positive[key] = expected_positive.get(key, 0) + 1
        elif value < -(2.0**-128):
            key = bucket_key(value, 3)
            expected_negative[key] = expected_negative.get(key, 0) + 1
    assert native_buckets(h.positive_span, h.positive_delta) == expected_positive
    assert native_buckets(h.negative_span, h.negative_delta) == expected_negative
    assert not h.bucket  # native only: no classic buckets (the +Inf one is implied by the count)


def test_classic_buckets_and_exemplars_beside_native_ones():
    registry = fresh_registry()
    latency = histogram("mixed_seconds", "x", native_bucket_factor=1.1, buckets=(0.1, 1.0), registry=registry)
    latency.observe(0.05)
    latency.observe(0.5, exemplar={"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"})
    latency.observe(5)
    h = by_name(generate(registry))["mixed_seconds"].metric[0].histogram
    assert [(b.upper_bound, b.cumulative_count) for b in h.bucket] == [(0.1, 1), (1.0, 2)]
    assert {p.name: p.value for p in h.bucket[1].exemplar.label} == {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"}
    assert h.bucket[1].exemplar.value == 0.5 and h.bucket[1].exemplar.timestamp.seconds > 1_600_000_000
    assert [e.value for e in h.exemplars] == [0.5]  # native exemplars carry timestamps too
    assert sum(native_buckets(h.positive_span, h.positive_delta).values()) == 3


def test_native_only_exemplar_rides_on_an_inf_bucket_for_older_prometheus():
    registry = fresh_registry()
    latency = histogram("only_seconds", "x", native_bucket_factor=1.1, registry=registry)
    latency.observe(0.2, exemplar={"trace_id": "abc"})
    h = by_name(generate(registry))["only_seconds"].metric[0].histogram
    assert [(b.upper_bound, b.cumulative_count) for b in h.bucket] == [(math.inf, 1)]
    assert h.bucket[0].exemplar.label[0].value == "abc"


def test_every_metric_type_decodes():
    registry = fresh_registry()
    counter("orders_total", "Orders.", ["shop"], registry=registry).labels("a").inc(3)
    counter("exemplary_total", "With exemplar.", registry=registry).inc(2, exemplar={"trace_id": "t"})
    gauge("queue_depth", "Depth.", registry=registry).set(7)
    histogram("size_bytes", "Sizes.", buckets=(10, 100), registry=registry).observe(50)
    summary = Summary("handler_seconds", "Handler.", registry=registry)
    summary.observe(2)
    Info("build", "Build.", registry=registry).info({"version": "1.2"})
    Enum("state", "State.", states=["up", "down"], registry=registry).state("down")

    class Custom:
        def collect(self):
            family = GaugeHistogramMetricFamily("queue_wait_seconds", "Wait.", buckets=[("1", 2), ("+Inf", 3)],
                                                gsum_value=4.0)
            return [family]

    registry.register(Custom())
    families = by_name(generate(registry))
    assert families["orders_total"].metric[0].counter.value == 3
    assert labels(families["orders_total"].metric[0]) == {"shop": "a"}
    assert METRIC_TYPES[families["orders_total"].type] == "COUNTER"
    exemplar = families["exemplary_total"].metric[0].counter.exemplar
    assert exemplar.label[0].value == "t" and exemplar.value == 2
    assert families["queue_depth"].metric[0].gauge.value == 7
    size = families["size_bytes"].metric[0].histogram
    assert (size.sample_count, size.sample_sum) == (1, 50)
    assert [(b.upper_bound, b.cumulative_count) for b in size.bucket] == [(10, 0), (100, 1)]
    assert not size.HasField("schema") and not size.positive_span  # a classic histogram stays classic
    assert families["handler_seconds"].metric[0].summary.sample_sum == 2
    assert METRIC_TYPES[families["handler_seconds"].type] == "SUMMARY"
    assert labels(families["build_info"].metric[0]) == {"version": "1.2"}
    assert {labels(m)["state"]: m.gauge.value for m in families["state"].metric} == {"up": 0, "down": 1}
    wait = families["queue_wait_seconds"]
    assert METRIC_TYPES[wait.type] == "GAUGE_HISTOGRAM" and wait.metric[0].histogram.sample_count == 3


def test_negotiation_follows_the_accept_header():
    registry = fresh_registry()
    histogram("neg_seconds", "x", native_bucket_factor=1.1, registry=registry).observe(1)
    assert accepts_protobuf(PROMETHEUS_ACCEPT)
    assert not accepts_protobuf("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                                "encoding=text")
    assert not accepts_protobuf("text/plain;version=0.0.4")
    body, headers = metrics_response({"Accept": PROMETHEUS_ACCEPT}, registry)
    assert dict(headers)["Content-Type"] == CONTENT_TYPE
    assert by_name(body)["neg_seconds"].metric[0].histogram.schema == 3
    body, headers = metrics_response({"Accept": "application/openmetrics-text; version=1.0.0"}, registry)
    assert dict(headers)["Content-Type"].startswith("application/openmetrics-text")
    assert b'neg_seconds_bucket{le="+Inf"} 1.0' in body and b"neg_seconds_count 1.0" in body
    body, headers = metrics_response({}, registry)
    assert dict(headers)["Content-Type"].startswith("text/plain") and b"neg_seconds_sum 1.0" in body


def test_empty_native_histogram_with_zero_threshold_zero_still_looks_native():
    registry = fresh_registry()
    histogram("empty_seconds", "x", native_bucket_factor=1.1, native_zero_threshold=0, registry=registry)
    h = by_name(generate(registry))["empty_seconds"].metric[0].histogram
    assert h.HasField("schema") and h.zero_threshold == 0 and h.sample_count == 0
    assert [(s.offset, s.length) for s in h.positive_span] == [(0, 0)]  # else a scraper sees a classic histogram
