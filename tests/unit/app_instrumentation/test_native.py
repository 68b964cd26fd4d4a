"""Native histograms: schema choice, bucket indexes against their bounds, the zero bucket, the bucket limit
(halving resolution), merging, classic buckets beside native ones, and declaration through the public API."""

from __future__ import annotations

import math
import random

import pytest
from prometheus_client import Histogram

from app_instrumentation import MetricShapeError, histogram, timed
from app_instrumentation.native import (
    DEFAULT_ZERO_THRESHOLD,
    NativeConfig,
    NativeHistogramChild,
    bucket_key,
    merge,
    pick_schema,
    spans_and_deltas,
    upper_bound,
)
from app_instrumentation.testing import fresh_registry, sample


@pytest.mark.parametrize(("factor", "schema"), [(1.1, 3), (2.0, 0), (1.5, 1), (4.0, -1), (1.0001, 8), (1e12, -4),
                                                (2 ** (2**-3), 3), (1.09, 4)])
def test_schema_is_the_largest_whose_growth_factor_fits(factor, schema):
    assert pick_schema(factor) == schema
    if -4 < schema < 8:
        assert 2 ** (2.0**-schema) <= factor * (1 + 1e-12) < 2 ** (2.0 ** -(schema - 1))


def test_factor_of_one_or_less_is_refused():
    with pytest.raises(ValueError, match="greater than 1"):
        histogram("bad_seconds", "x", native_bucket_factor=1.0, registry=fresh_registry())


@pytest.mark.parametrize("schema", range(-4, 9))
def test_bucket_index_puts_each_value_between_its_bounds(schema):
    rng = random.Random(schema)
    values = [rng.lognormvariate(0, 6) for _ in range(2000)] + [1.0, 2.0, 0.5, 4.0, 1e-300, 1e300]
    for value in values:
        key = bucket_key(value, schema)
        assert upper_bound(key - 1, schema) * (1 - 1e-12) < value <= upper_bound(key, schema) * (1 + 1e-12), \
            (value, schema, key)
    # base^i are upper bounds (bucket i holds (base^(i-1), base^i]): powers of two, every 2^-schema-th below 0
    step = 2 ** max(0, -schema)
    for exponent in (-3 * step, 0, step, 5 * step):
        key = bucket_key(2.0**exponent, schema)
        assert upper_bound(key, schema) == pytest.approx(2.0**exponent)
    assert bucket_key(math.inf, schema) == bucket_key(1.7976931348623157e308, schema) + 1


def test_zero_bucket_negative_buckets_and_default_threshold():
    assert DEFAULT_ZERO_THRESHOLD == 2.0**-128
    child = NativeHistogramChild(NativeConfig(1.1), ())
    for value in (0.0, 1e-40, -1e-40, -3.0, -3.0, 5.0, math.nan):
        child.observe(value)
    snapshot = child.snapshot()
    assert snapshot.zero_count == 3
    assert snapshot.negative == {bucket_key(3.0, 3): 2}
    assert snapshot.positive == {bucket_key(5.0, 3): 1}
    assert snapshot.count == 7 and math.isnan(snapshot.total)


def test_bucket_limit_halves_resolution_and_loses_no_observation():
    rng = random.Random(7)
    values = [rng.lognormvariate(0, 3) * rng.choice((1, -1)) for _ in range(5000)]
    limited = NativeHistogramChild(NativeConfig(1.01, max_buckets=40), ())
    for value in values:
        limited.observe(value)
    snapshot = limited.snapshot()
    assert snapshot.schema < pick_schema(1.01)
    assert len(snapshot.positive) + len(snapshot.negative) <= 40
    # exactly what a histogram observing at the final schema from the start holds
    direct = NativeHistogramChild(NativeConfig(2 ** (2.0**-snapshot.schema)), ())
    for value in values:
        direct.observe(value)
    assert direct.snapshot().schema == snapshot.schema
    assert (direct.snapshot().positive, direct.snapshot().negative) == (snapshot.positive, snapshot.negative)


def test_merge_reduces_to_the_coarsest_schema():
    rng = random.Random(3)
    values = [rng.lognormvariate(0, 2) for _ in range(3000)]
    fine, coarse, whole = (NativeHistogramChild(NativeConfig(f), ()) for f in (1.01, 1.5, 1.5))
    for index, value in enumerate(values):
        (fine if index % 2 else coarse).observe(value)
        whole.observe(value)
    merged = merge([fine.snapshot(), coarse.snapshot()])
    assert merged.schema == whole.snapshot().schema == 1
    assert merged.positive == whole.snapshot().positive
    assert merged.count == len(values) and merged.total == pytest.approx(sum(values))


def test_spans_and_deltas_keep_small_gaps_inside_a_span():
    spans, deltas = spans_and_deltas({-2: 1, 0: 3, 1: 3, 5: 2, 6: 1})
    assert spans == [(-2, 4), (3, 2)]
    assert deltas == [1, -1, 3, 0, -1, -1]


def test_native_only_histogram_shows_count_sum_and_inf_bucket_in_text():
    registry = fresh_registry()
    latency = histogram("native_seconds", "Latency.", ["route"], native_bucket_factor=1.1, registry=registry)
    latency.labels("/a").observe(0.25)
    latency.labels("/a").observe(4)
    assert sample(registry, "native_seconds_count", route="/a") == 2
    assert sample(registry, "native_seconds_sum", route="/a") == 4.25
    assert sample(registry, "native_seconds_bucket", route="/a", le="+Inf") == 2
    assert sample(registry, "native_seconds_bucket", route="/a", le="0.5") is None


def test_classic_buckets_are_kept_beside_native_ones_when_given():
    registry = fresh_registry()
    latency = histogram("both_seconds", "Latency.", native_bucket_factor=1.1, buckets=(0.1, 1.0), registry=registry)
    for value in (0.05, 0.5, 0.7, 3.0):
        latency.observe(value)
    assert [sample(registry, "both_seconds_bucket", le=le) for le in ("0.1", "1.0", "+Inf")] == [1, 3, 4]
    assert sum(latency.metric._default.snapshot().positive.values()) == 4


def test_without_the_keyword_nothing_changes():
    registry = fresh_registry()
    latency = histogram("classic_seconds", "Latency.", registry=registry)
    assert isinstance(latency.metric, Histogram)


def test_declaring_again_with_another_native_configuration_is_a_shape_error():
    registry = fresh_registry()
    first = histogram("again_seconds", "x", native_bucket_factor=1.1, registry=registry)
    assert histogram("again_seconds", "x", native_bucket_factor=1.1, registry=registry) is first
    with pytest.raises(MetricShapeError, match="native buckets"):
        histogram("again_seconds", "x", native_bucket_factor=1.5, registry=registry)
    with pytest.raises(MetricShapeError):
        histogram("again_seconds", "x", registry=registry)


def test_timed_takes_the_native_keyword():
    registry = fresh_registry()

    @timed("work_seconds", "Work.", labels={"kind": "batch"}, native_bucket_factor=1.1, registry=registry)
    def work() -> int:
        return 1

    for _ in range(5):
        work()
    assert sample(registry, "work_seconds_count", kind="batch") == 5
    family = next(f for f in registry.collect() if f.name == "work_seconds")
    (snapshot,) = family.native.values()
    assert snapshot.count == 5 and snapshot.schema == 3


def test_wsgi_and_asgi_middleware_take_the_native_keyword():
    import asyncio

    from app_instrumentation import ASGIMetricsMiddleware, WSGIMetricsMiddleware

    registry = fresh_registry()

    def wsgi_app(environ, start_response):
        start_response("200 OK", [])
        return [b"ok"]

    wsgi = WSGIMetricsMiddleware(wsgi_app, registry=registry, routes=["/orders/{id}"], native_bucket_factor=1.1)
    body = wsgi({"PATH_INFO": "/orders/7", "REQUEST_METHOD": "GET"}, lambda status, headers: None)
    list(body)
    body.close()

    async def asgi_app(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def nothing(*_):
        return {"type": "http.request"}

    asgi = ASGIMetricsMiddleware(asgi_app, registry=registry, prefix="asgi", native_bucket_factor=1.1)
    asyncio.run(asgi({"type": "http", "method": "GET", "path": "/x", "headers": []}, nothing, nothing))
    for name, labels in (("http_request_duration_seconds", ("GET", "/orders/{id}", "200")),
                         ("asgi_request_duration_seconds", ("GET", "unmatched", "204"))):
        family = next(f for f in registry.collect() if f.name == name)
        snapshot = family.native[tuple(sorted(zip(("method", "route", "status"), labels, strict=True)))]
        assert snapshot.count == 1 and snapshot.schema == 3 and sum(snapshot.positive.values()) == 1
