"""Native (sparse, exponential) histograms with Prometheus' semantics, beside optional classic buckets.

Schema `s` divides each power of two into 2^s buckets: bucket `i` holds values in (base^(i-1), base^i] with
base = 2^(2^-s). The schema is the largest (-4..8) whose base is at most the requested factor; values whose
absolute value is at most the zero threshold go to the zero bucket. When the positive and negative buckets
together exceed the limit, the resolution is halved (schema - 1, buckets i and i+1 of a pair merged), as
client_golang does when neither a reset nor a wider zero bucket is configured.
"""

from __future__ import annotations

import functools
import math
import os
import threading
import time
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from math import frexp

from prometheus_client.metrics_core import Metric
from prometheus_client.samples import Exemplar, Sample
from prometheus_client.utils import floatToGoString

from app_instrumentation.exemplars import AUTOMATIC, from_current_span, no_span_check

_NO_SPAN_CHECK = no_span_check()  # inlined into observe(): a call would cost as much as the check
_SHORTCUT = _NO_SPAN_CHECK is not None
_OTEL, _RUNTIME, _CURRENT, _SPAN_KEY = _NO_SPAN_CHECK or (None, None, None, None)

SCHEMA_MIN, SCHEMA_MAX = -4, 8
DEFAULT_ZERO_THRESHOLD = 2.0**-128  # client_golang's DefNativeHistogramZeroThreshold
DEFAULT_MAX_BUCKETS = 160
NATIVE_EXEMPLARS_KEPT = 10
_MAX_FLOAT = 1.7976931348623157e308


@functools.cache
def fractions(schema: int) -> tuple[float, ...]:
    """For schema > 0: the fractions (in [0.5, 1), as math.frexp gives them) where each of a power of two's
    2^schema buckets starts, 2^(i/2^schema) / 2 correctly rounded. Computed on first use of the schema."""
    count = 1 << schema
    with localcontext() as ctx:
        ctx.prec = 40
        return tuple(float(Decimal(2) ** (Decimal(i) / count) / 2) for i in range(count))


def pick_schema(factor: float) -> int:
    """The largest schema whose growth factor 2^(2^-schema) is at most `factor` (clamped to -4..8)."""
    if not factor > 1:
        raise ValueError(f"native_bucket_factor must be greater than 1, not {factor!r}")
    floor = math.floor(math.log2(math.log2(factor)))
    return max(SCHEMA_MIN, min(SCHEMA_MAX, -floor))


def bucket_key(value: float, schema: int) -> int:
    """The index of the bucket holding abs(value) > 0 at this schema (0 is the bucket whose upper bound is 1)."""
    infinite = math.isinf(value)
    frac, exp = math.frexp(_MAX_FLOAT if infinite else abs(value))
    if schema > 0:
        bounds = fractions(schema)
        key = bisect_left(bounds, frac) + (exp - 1) * len(bounds)
    else:
        key = exp - 1 if frac == 0.5 else exp
        key = (key + (1 << -schema) - 1) >> -schema
    return key + 1 if infinite else key


def coarser_key(key: int, steps: int) -> int:
    """The index of the bucket holding bucket `key` once the schema is `steps` lower (ceil(key / 2^steps))."""
    return -((-key) >> steps)


def upper_bound(key: int, schema: int) -> float:
    """The (inclusive) upper bound of bucket `key`: base^key."""
    return 2.0 ** (key * 2.0**-schema)


def spans_and_deltas(buckets: Mapping[int, int]) -> tuple[list[tuple[int, int]], list[int]]:
    """Prometheus' encoding of sparse buckets: spans (offset from the previous span's end, length) and the
    count deltas of the buckets they cover; gaps of up to two empty buckets stay inside a span."""
    spans: list[list[int]] = []
    deltas: list[int] = []
    previous_count = 0
    next_key = 0
    for position, key in enumerate(sorted(k for k, v in buckets.items() if v)):
        gap = key - next_key
        if position == 0 or gap > 2:
            spans.append([gap, 0])
        else:
            for _ in range(gap):
                spans[-1][1] += 1
                deltas.append(-previous_count)
                previous_count = 0
        count = buckets[key]
        spans[-1][1] += 1
        deltas.append(count - previous_count)
        previous_count = count
        next_key = key + 1
    return [(offset, length) for offset, length in spans], deltas


@dataclass
class NativeSnapshot:
    """One series' native histogram at a moment: what the protobuf encoder writes."""

    schema: int
    zero_threshold: float
    zero_count: int
    positive: dict[int, int]
    negative: dict[int, int]
    count: int = 0
    total: float = 0.0
    exemplars: list[Exemplar] = field(default_factory=list)

    def reduced(self, schema: int) -> NativeSnapshot:
        """The same observations at a lower resolution."""
        steps = self.schema - schema
        if steps <= 0:
            return self
        return NativeSnapshot(schema, self.zero_threshold, self.zero_count, _coarsen(self.positive, steps),
                              _coarsen(self.negative, steps), self.count, self.total, list(self.exemplars))


def _coarsen(buckets: Mapping[int, int], steps: int) -> dict[int, int]:
    out: dict[int, int] = {}
    for key, count in buckets.items():
        wider = coarser_key(key, steps)
        out[wider] = out.get(wider, 0) + count
    return out


def merge(snapshots: Sequence[NativeSnapshot]) -> NativeSnapshot:
    """Bucket by bucket sum of several native histograms, at the coarsest schema among them."""
    schema = min(s.schema for s in snapshots)
    merged = NativeSnapshot(schema, max(s.zero_threshold for s in snapshots), 0, {}, {})
    for snapshot in snapshots:
        snapshot = snapshot.reduced(schema)
        merged.zero_count += snapshot.zero_count
        merged.count += snapshot.count
        merged.total += snapshot.total
        for mine, theirs in ((merged.positive, snapshot.positive), (merged.negative, snapshot.negative)):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) + count
        merged.exemplars.extend(snapshot.exemplars)
    merged.exemplars = sorted(merged.exemplars, key=lambda e: e.timestamp or 0)[-NATIVE_EXEMPLARS_KEPT:]
    return merged


EXEMPLAR_MAX_RUNES = 128  # OpenMetrics' bound on an exemplar's label names and values together


def make_exemplar(labels: Mapping[str, str], value: float) -> Exemplar:
    pairs = {str(k): str(v) for k, v in labels.items()}
    if sum(len(k) + len(v) for k, v in pairs.items()) > EXEMPLAR_MAX_RUNES:
        raise ValueError(f"exemplar labels {pairs} exceed {EXEMPLAR_MAX_RUNES} characters")
    return Exemplar(pairs, value, time.time())


@dataclass(frozen=True)
class NativeConfig:
    """The native part of a histogram's declaration."""

    factor: float
    zero_threshold: float = DEFAULT_ZERO_THRESHOLD
    max_buckets: int = DEFAULT_MAX_BUCKETS

    @property
    def schema(self) -> int:
        return pick_schema(self.factor)


class NativeHistogramChild:
    """One series: count, sum, classic buckets (if any) and native buckets, updated under one lock.

    `store` (multiprocess mode) receives every changed value so other processes can merge them."""

    __slots__ = ("_fractions", "_lock", "_max_buckets", "_per_octave", "_pid", "_store", "_zero_threshold",
                 "bounds", "classic", "classic_exemplars", "config", "count", "native_exemplars", "negative",
                 "positive", "schema", "total", "zero")

    def __init__(self, config: NativeConfig, classic_bounds: Sequence[float], store=None) -> None:
        self.config = config
        self.bounds = tuple(classic_bounds)  # finite upper bounds, sorted; +Inf is implicit
        self._lock = threading.Lock()
        self._store = store
        self._reset()

    def _reset(self) -> None:
        self._set_schema(self.config.schema)
        self._zero_threshold = self.config.zero_threshold
        self._max_buckets = self.config.max_buckets
        self.count = 0
        self.total = 0.0
        self.zero = 0
        self.positive: dict[int, int] = {}
        self.negative: dict[int, int] = {}
        self.classic = [0] * (len(self.bounds) + 1)
        self.classic_exemplars: list[Exemplar | None] = [None] * (len(self.bounds) + 1)
        self.native_exemplars: list[Exemplar] = []
        self._pid = os.getpid()

    def observe(self, value: float, exemplar: Mapping[str, str] | None = None) -> None:
        if exemplar is None and AUTOMATIC.on and (not _SHORTCUT or _OTEL._RUNTIME_CONTEXT is not _RUNTIME
                                                  or _CURRENT().get(_SPAN_KEY) is not None):
            exemplar = from_current_span()
        made = make_exemplar(exemplar, value) if exemplar is not None else None
        store = self._store
        lock = self._lock
        lock.acquire()  # not `with`: its __enter__/__exit__ lookups cost as much as the lock itself
        try:
            if store is not None and self._pid != os.getpid():
                self._reset()  # a forked worker starts from nothing, as prometheus_client's values do
            self.count += 1
            self.total += value
            classic_index = 0
            if self.bounds:
                classic_index = bisect_left(self.bounds, value)
                self.classic[classic_index] += 1
            threshold = self._zero_threshold
            if value > threshold:
                buckets = self.positive
                magnitude = value
            elif value < -threshold:
                buckets = self.negative
                magnitude = -value
            else:
                buckets = None
                if value == value:  # not NaN: NaN only counts (and makes the sum NaN), as in client_golang
                    self.zero += 1
            key = 0
            if buckets is not None:
                fractions = self._fractions
                if fractions is not None and magnitude <= _MAX_FLOAT:  # bucket_key, inlined for schema > 0
                    frac, exp = frexp(magnitude)
                    key = bisect_left(fractions, frac) + (exp - 1) * self._per_octave
                else:
                    key = bucket_key(magnitude, self.schema)
                known = buckets.get(key)
                if known is None:
                    buckets[key] = 1
                    if len(self.positive) + len(self.negative) > self._max_buckets and self.schema > SCHEMA_MIN:
                        self._halve_resolution()
                        key = bucket_key(magnitude, self.schema)
                        buckets = self.positive if value > 0 else self.negative
                else:
                    buckets[key] = known + 1
            if made is not None:
                self.classic_exemplars[classic_index] = made
                self.native_exemplars.append(made)
                if len(self.native_exemplars) > NATIVE_EXEMPLARS_KEPT:
                    del self.native_exemplars[0]
            if store is not None:
                store.observed(self, value, classic_index, buckets is self.positive, key, buckets is not None)
        finally:
            lock.release()

    def _set_schema(self, schema: int) -> None:
        self.schema = schema
        self._fractions = fractions(schema) if schema > 0 else None
        self._per_octave = 1 << schema if schema > 0 else 0

    def _halve_resolution(self) -> None:
        old = (self.schema, dict(self.positive), dict(self.negative))
        self._set_schema(self.schema - 1)
        self.positive = _coarsen(self.positive, 1)
        self.negative = _coarsen(self.negative, 1)
        if self._store is not None:
            self._store.rescaled(self, *old)

    def snapshot(self) -> NativeSnapshot:
        with self._lock:
            return NativeSnapshot(self.schema, self._zero_threshold, self.zero, dict(self.positive),
                                  dict(self.negative), self.count, self.total, list(self.native_exemplars))

    def classic_samples(self) -> tuple[list[tuple[float, int, Exemplar | None]], int, float]:
        """([(upper bound, cumulative count, exemplar)...] including +Inf, count, sum)."""
        with self._lock:
            if not self.bounds:  # native only: the +Inf bucket is the count
                return [(math.inf, self.count, self.classic_exemplars[0])], self.count, self.total
            cumulative = 0
            rows = []
            for bound, count, exemplar in zip((*self.bounds, math.inf), self.classic, self.classic_exemplars,
                                              strict=True):
                cumulative += count
                rows.append((bound, cumulative, exemplar))
            return rows, self.count, self.total


class NativeHistogramFamily(Metric):
    """A histogram family as prometheus_client's encoders know it (classic buckets, or only +Inf, count and
    sum), carrying each series' native buckets for the protobuf encoder in `native[labels]`."""

    def __init__(self, name: str, documentation: str) -> None:
        super().__init__(name, documentation, "histogram")
        self.native: dict[tuple[tuple[str, str], ...], NativeSnapshot] = {}

    def add_series(self, labels: Mapping[str, str], rows: Sequence[tuple[float, int, Exemplar | None]],
                   count: int, total: float, native: NativeSnapshot) -> None:
        for bound, cumulative, exemplar in rows:
            le = floatToGoString(bound)
            self.samples.append(Sample(self.name + "_bucket", {**labels, "le": le}, float(cumulative), None,
                                       exemplar))
        self.samples.append(Sample(self.name + "_count", dict(labels), float(count), None, None))
        self.samples.append(Sample(self.name + "_sum", dict(labels), total, None, None))
        self.native[tuple(sorted(labels.items()))] = native


class NativeHistogram:
    """A histogram collector with native buckets (and classic ones when `classic_bounds` is not empty);
    `labels(...)` gives the child of a series, as prometheus_client's metrics do."""

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str], config: NativeConfig,
                 classic_bounds: Sequence[float], registry, store_factory=None) -> None:
        self._name = name
        self._documentation = documentation
        self._labelnames = tuple(labelnames)
        self.config = config
        self.classic_bounds = tuple(classic_bounds)
        self._store_factory = store_factory
        self._children: dict[tuple[str, ...], NativeHistogramChild] = {}
        self._lock = threading.Lock()
        self._default = self._make(()) if not self._labelnames else None
        if self._default is not None:
            self.observe = self._default.observe  # the label-less hot path: one call, not two
        if registry is not None:
            registry.register(self)

    def _make(self, values: tuple[str, ...]) -> NativeHistogramChild:
        store = None
        if self._store_factory is not None:
            store = self._store_factory(self._name, self._documentation, dict(zip(self._labelnames, values,
                                                                                 strict=True)))
        child = NativeHistogramChild(self.config, self.classic_bounds, store)
        if store is not None:
            store.created(child)
        return child

    def labels(self, *values: str, **by_name: str) -> NativeHistogramChild:
        if by_name:
            values = tuple(by_name[name] for name in self._labelnames)
        key = tuple(str(v) for v in values)
        if len(key) != len(self._labelnames):
            raise ValueError(f"{self._name} has labels {list(self._labelnames)}, got values {list(key)}")
        child = self._children.get(key)
        if child is None:
            with self._lock:
                child = self._children.get(key)
                if child is None:
                    child = self._children[key] = self._make(key)
        return child

    def observe(self, value: float, exemplar: Mapping[str, str] | None = None) -> None:
        if self._default is None:
            raise ValueError(f"{self._name} has labels {list(self._labelnames)}: observe through labels()")
        self._default.observe(value, exemplar)

    def describe(self) -> list[Metric]:
        return [Metric(self._name, self._documentation, "histogram")]

    def collect(self) -> list[Metric]:
        family = NativeHistogramFamily(self._name, self._documentation)
        series = [((), self._default)] if self._default is not None else list(self._children.items())
        for values, child in series:
            rows, count, total = child.classic_samples()
            family.add_series(dict(zip(self._labelnames, values, strict=True)), rows, count, total,
                              child.snapshot())
        return [family]
