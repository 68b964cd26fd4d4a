"""Exemplars: given explicitly to counters and histograms, or taken from the current OpenTelemetry span."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from app_instrumentation import counter, histogram
from app_instrumentation.exemplars import from_current_span
from app_instrumentation.testing import fresh_registry

TRACE_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736
SPAN_ID = 0x00F067AA0BA902B7


def exemplars(registry, name: str) -> list:
    return [s.exemplar for f in registry.collect() for s in f.samples if s.name == name and s.exemplar]


def sampled_span(sampled: bool = True):
    return trace.use_span(NonRecordingSpan(SpanContext(TRACE_ID, SPAN_ID, is_remote=False,
                                                       trace_flags=TraceFlags(1 if sampled else 0))))


def test_exemplars_from_the_current_span():
    registry = fresh_registry()
    native = histogram("traced_seconds", "x", native_bucket_factor=1.1, registry=registry)
    classic = histogram("classic_traced_seconds", "x", registry=registry)
    jobs = counter("traced_jobs_total", "x", registry=registry)
    assert from_current_span() is None  # no span: no exemplar
    with sampled_span():
        native.observe(0.3)
        classic.observe(0.3)
        jobs.inc()
    for name in ("traced_seconds_bucket", "classic_traced_seconds_bucket", "traced_jobs_total"):
        (exemplar,) = exemplars(registry, name)
        assert exemplar.labels == {"trace_id": f"{TRACE_ID:032x}", "span_id": f"{SPAN_ID:016x}"}, name
    family = next(f for f in registry.collect() if f.name == "traced_seconds")
    assert [e.labels["trace_id"] for e in next(iter(family.native.values())).exemplars] == [f"{TRACE_ID:032x}"]


def test_unsampled_spans_give_no_exemplar_and_explicit_ones_win():
    registry = fresh_registry()
    native = histogram("explicit_seconds", "x", native_bucket_factor=1.1, registry=registry)
    with sampled_span(sampled=False):
        native.observe(0.1)
    assert exemplars(registry, "explicit_seconds_bucket") == []
    with sampled_span():
        native.observe(0.2, exemplar={"trace_id": "mine"})
    (exemplar,) = exemplars(registry, "explicit_seconds_bucket")
    assert exemplar.labels == {"trace_id": "mine"} and exemplar.value == 0.2


def test_oversized_exemplar_is_refused_before_anything_is_counted():
    import pytest

    registry = fresh_registry()
    native = histogram("big_seconds", "x", native_bucket_factor=1.1, registry=registry)
    with pytest.raises(ValueError, match="128"):
        native.observe(0.1, exemplar={"trace_id": "x" * 200})
    assert registry.get_sample_value("big_seconds_count") == 0


def test_automatic_exemplars_can_be_turned_off():
    from app_instrumentation import exemplars as switch

    registry = fresh_registry()
    native = histogram("quiet_seconds", "x", native_bucket_factor=1.1, registry=registry)
    switch.set_automatic(False)
    try:
        with sampled_span():
            native.observe(0.1)
            native.observe(0.2, exemplar={"trace_id": "given"})
    finally:
        switch.set_automatic(True)
    assert [e.labels for e in exemplars(registry, "quiet_seconds_bucket")] == [{"trace_id": "given"}]
    with sampled_span():
        native.observe(0.3)
    assert exemplars(registry, "quiet_seconds_bucket")[0].labels["trace_id"] == f"{TRACE_ID:032x}"


def test_the_span_lookup_agrees_with_get_current_span_in_every_context(monkeypatch):
    """No span, a sampled one, an unsampled one, a span left again; and with another runtime context in place
    (the shortcut on opentelemetry-api's own context variable must then step aside)."""
    from opentelemetry import context
    from opentelemetry.context.contextvars_context import ContextVarsRuntimeContext

    from app_instrumentation import exemplars as lookup

    assert lookup._CURRENT is not None  # the shortcut is in use with the default runtime context
    expected = {"trace_id": f"{TRACE_ID:032x}", "span_id": f"{SPAN_ID:016x}"}
    assert from_current_span() is None
    with sampled_span():
        assert from_current_span() == expected
        with sampled_span(sampled=False):
            assert from_current_span() is None
        assert from_current_span() == expected
    assert from_current_span() is None
    other = ContextVarsRuntimeContext()
    monkeypatch.setattr(context, "_RUNTIME_CONTEXT", other)
    token = other.attach(trace.set_span_in_context(NonRecordingSpan(SpanContext(
        TRACE_ID, SPAN_ID, is_remote=False, trace_flags=TraceFlags(1)))))
    registry = fresh_registry()
    native = histogram("other_context_seconds", "x", native_bucket_factor=1.1, registry=registry)
    try:
        assert from_current_span() == expected
        native.observer()(0.2)  # the decorators' path: observe() of the child inlines the shortcut
    finally:
        other.detach(token)
    (exemplar,) = exemplars(registry, "other_context_seconds_bucket")
    assert exemplar.labels == expected
