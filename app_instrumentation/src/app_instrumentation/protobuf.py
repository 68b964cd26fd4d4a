"""Prometheus' protobuf exposition (delimited io.prometheus.client.MetricFamily messages), hand-written.

The field numbers are those of client_model's metrics.proto as Prometheus reads them (prompb/io/prometheus/
client/metrics.proto). Hand-writing the few messages keeps the library's only dependency prometheus-client:
the `protobuf` package would add a multi-megabyte install (and a C extension or a slower pure-Python
runtime) for what is a few varints and length prefixes (see docs/app-instrumentation.md, Native histograms).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import Metric
from prometheus_client.samples import Exemplar, Sample

from app_instrumentation.native import NativeSnapshot, spans_and_deltas

CONTENT_TYPE = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
COUNTER, GAUGE, SUMMARY, UNTYPED, HISTOGRAM, GAUGE_HISTOGRAM = range(6)
_TYPES = {"counter": COUNTER, "gauge": GAUGE, "summary": SUMMARY, "histogram": HISTOGRAM,
          "gaugehistogram": GAUGE_HISTOGRAM, "info": GAUGE, "stateset": GAUGE, "unknown": UNTYPED}
_DOUBLE = struct.Struct("<d")


def accepts_protobuf(accept: str) -> bool:
    """Whether an Accept header asks for the delimited MetricFamily protobuf format (as Prometheus does)."""
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if media.lower() != "application/vnd.google.protobuf":
            continue
        options = dict(param.split("=", 1) for param in params if "=" in param)
        if options.get("proto") == "io.prometheus.client.MetricFamily" and options.get("encoding") == "delimited":
            return options.get("q", "1") not in ("0", "0.0")
    return False


# Wire format pieces.
_ONE_BYTE = [bytes((i,)) for i in range(128)]


def _varint(value: int) -> bytes:
    if 0 <= value < 128:
        return _ONE_BYTE[value]
    value &= 0xFFFFFFFFFFFFFFFF  # negative int64 as ten bytes, as protobuf does
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 63)


def _tag(number: int, wire_type: int) -> bytes:
    return _varint((number << 3) | wire_type)


def _uint(number: int, value: int) -> bytes:
    return _tag(number, 0) + _varint(value)


def _sint(number: int, value: int) -> bytes:
    return _tag(number, 0) + _varint(_zigzag(value))


def _double(number: int, value: float) -> bytes:
    return _tag(number, 1) + _DOUBLE.pack(value)


def _bytes(number: int, payload: bytes) -> bytes:
    return _tag(number, 2) + _varint(len(payload)) + payload


def _string(number: int, text: str) -> bytes:
    return _bytes(number, text.encode())


def _packed_sint(number: int, values: Iterable[int]) -> bytes:
    payload = b"".join([_varint((v << 1) ^ (v >> 63)) for v in values])
    return _bytes(number, payload) if payload else b""


# Messages.
def _label_pairs(number: int, labels: dict[str, str]) -> bytes:
    return b"".join(_bytes(number, _string(1, name) + _string(2, value)) for name, value in labels.items())


def _exemplar(exemplar: Exemplar) -> bytes:
    body = _label_pairs(1, exemplar.labels) + _double(2, exemplar.value)
    if exemplar.timestamp is not None:
        seconds = math.floor(float(exemplar.timestamp))
        nanos = round((float(exemplar.timestamp) - seconds) * 1e9)
        body += _bytes(3, _uint(1, seconds) + (_uint(2, nanos) if nanos else b""))
    return body


def _native(snapshot: NativeSnapshot) -> bytes:
    body = _sint(5, snapshot.schema) + _double(6, snapshot.zero_threshold) + _uint(7, snapshot.zero_count)
    for span_field, delta_field, buckets in ((9, 10, snapshot.negative), (12, 13, snapshot.positive)):
        spans, deltas = spans_and_deltas(buckets)
        body += b"".join(_bytes(span_field, _sint(1, offset) + _uint(2, length)) for offset, length in spans)
        body += _packed_sint(delta_field, deltas)
    if snapshot.zero_threshold == 0 and not (snapshot.zero_count or snapshot.positive or snapshot.negative):
        body += _bytes(12, _sint(1, 0) + _uint(2, 0))  # a no-op span: still native, not a classic histogram
    return body + b"".join(_bytes(16, _exemplar(e)) for e in snapshot.exemplars if e.timestamp is not None)


def _histogram(samples: list[Sample], suffixes: tuple[str, str, str], native: NativeSnapshot | None) -> bytes:
    bucket_name, count_name, sum_name = suffixes
    count, total, buckets = 0, 0.0, []
    for sample in samples:
        if sample.name.endswith(bucket_name):
            bound = float(sample.labels["le"])
            # +Inf is implied by sample_count; client_golang writes it only to carry an exemplar.
            if bound != math.inf or sample.exemplar is not None:
                bucket = _uint(1, int(sample.value)) + _double(2, bound)
                if sample.exemplar is not None:
                    bucket += _bytes(3, _exemplar(sample.exemplar))
                buckets.append(_bytes(3, bucket))
        elif sample.name.endswith(count_name):
            count = int(sample.value)
        elif sample.name.endswith(sum_name):
            total = sample.value
    body = _uint(1, count) + _double(2, total) + b"".join(buckets)
    return body + (_native(native) if native is not None else b"")


def _summary(samples: list[Sample]) -> bytes:
    count, total, quantiles = 0, 0.0, []
    for sample in samples:
        if "quantile" in sample.labels:
            quantiles.append(_bytes(3, _double(1, float(sample.labels["quantile"])) + _double(2, sample.value)))
        elif sample.name.endswith("_count"):
            count = int(sample.value)
        elif sample.name.endswith("_sum"):
            total = sample.value
    return _uint(1, count) + _double(2, total) + b"".join(quantiles)


_SERIES_LABELS = {"le", "quantile"}


def _series(family: Metric) -> dict[tuple, list[Sample]]:
    grouped: dict[tuple, list[Sample]] = {}
    for sample in family.samples:
        if sample.name.endswith("_created"):
            continue
        key = tuple((k, v) for k, v in sample.labels.items() if k not in _SERIES_LABELS)
        grouped.setdefault(key, []).append(sample)
    return grouped


def _family(family: Metric) -> bytes:
    kind = family.type
    name = family.name
    metrics = []
    if kind == "counter":
        name += "_total"
    elif kind == "info":
        name += "_info"
    for key, samples in _series(family).items():
        labels = dict(key)
        body = _label_pairs(1, labels)
        timestamp = samples[0].timestamp
        if kind == "counter":
            value = next((s for s in samples if s.name == name), samples[0])
            counter = _double(1, value.value)
            if value.exemplar is not None:
                counter += _bytes(2, _exemplar(value.exemplar))
            body += _bytes(3, counter)
        elif kind in ("histogram", "gaugehistogram"):
            suffixes = ("_bucket", "_count", "_sum") if kind == "histogram" else ("_bucket", "_gcount", "_gsum")
            native = getattr(family, "native", {}).get(tuple(sorted(labels.items())))
            body += _bytes(7, _histogram(samples, suffixes, native))
        elif kind == "summary":
            body += _bytes(4, _summary(samples))
        elif kind == "stateset":  # one gauge series per state, as the text format shows it
            for sample in samples:
                series = _label_pairs(1, sample.labels) + _bytes(2, _double(1, sample.value))
                metrics.append(_bytes(4, series))
            continue
        else:
            body += _bytes(2 if kind in ("gauge", "info") else 5, _double(1, samples[0].value))
        if timestamp is not None:
            body += _tag(6, 0) + _varint(int(float(timestamp) * 1000))
        metrics.append(_bytes(4, body))
    if not metrics:
        return b""
    message = _string(1, name) + _string(2, family.documentation) + _uint(3, _TYPES.get(kind, UNTYPED))
    return message + b"".join(metrics)


def generate(registry: CollectorRegistry) -> bytes:
    """Every family of the registry as length-delimited MetricFamily messages."""
    out = bytearray()
    for family in registry.collect():
        message = _family(family)
        if message:
            out += _varint(len(message)) + message
    return bytes(out)
