"""Declaring metrics: idempotent, shape-checked, with a bound on each label's distinct values.

`counter()`, `gauge()` and `histogram()` return prometheus_client metrics wrapped in `Instrument`, which
adds two things the hot path needs: children cached by label values (no `labels()` call per use) and a
per-label cardinality bound (values beyond it become `other`, counted in
`app_instrumentation_label_overflow_total{metric,label}`).

Declaring the same name twice in one registry with the same shape returns the same object (module
re-imports, app factories, reloaders, tests); a different shape is a `MetricShapeError` naming both.
"""

from __future__ import annotations

import bisect
import functools
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase

from app_instrumentation import multiprocess
from app_instrumentation.exemplars import AUTOMATIC, from_current_span
from app_instrumentation.native import DEFAULT_MAX_BUCKETS, DEFAULT_ZERO_THRESHOLD, NativeConfig, NativeHistogram
from app_instrumentation.stepped import Counter, Gauge, Histogram, SteppedValue

OVERFLOW_VALUE = "other"
DEFAULT_MAX_LABEL_VALUES = 100
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)


class MetricShapeError(ValueError):
    """A metric name was declared again with another type, labels or buckets."""


@dataclass(frozen=True)
class Shape:
    kind: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...] = ()
    documentation: str = ""
    native: NativeConfig | None = None

    def describe(self) -> str:
        text = f"{self.kind} with labels {list(self.labels)}"
        text += f" and buckets {list(self.buckets)}" if self.buckets else ""
        if self.native is not None:
            text += (f" and native buckets (factor {self.native.factor}, zero threshold "
                     f"{self.native.zero_threshold}, at most {self.native.max_buckets})")
        return text


def linear_buckets(start: float, width: float, count: int) -> tuple[float, ...]:
    """`count` buckets start, start+width, ... (the helper client libraries SHOULD offer)."""
    if count < 1 or width <= 0:
        raise ValueError("linear_buckets needs count >= 1 and width > 0")
    return tuple(start + width * i for i in range(count))


def exponential_buckets(start: float, factor: float, count: int) -> tuple[float, ...]:
    """`count` buckets start, start*factor, start*factor^2, ..."""
    if count < 1 or start <= 0 or factor <= 1:
        raise ValueError("exponential_buckets needs count >= 1, start > 0 and factor > 1")
    return tuple(start * factor**i for i in range(count))


class _Fast:
    """Direct updates of a prometheus_client child's values, skipping per-call checks that cannot fail for
    children this module created (observability, non-negative amounts, exemplars): steps of one without a
    lock where the value is a SteppedValue. Falls back to the public methods if prometheus_client's internals
    ever change shape."""

    @staticmethod
    def counter_inc(child: Counter):
        value = getattr(child, "_value", None)
        return value.inc if value is not None and hasattr(value, "inc") else child.inc

    @staticmethod
    def step(value, amount: float = 1.0):
        """A call taking no argument that adds `amount` (1 or -1) to a value."""
        if isinstance(value, SteppedValue):
            return value.up if amount > 0 else value.down
        return functools.partial(value.inc, amount)

    @staticmethod
    def histogram_parts(child: Histogram):
        """(sum increment, upper bounds, bucket steps) for inlining an observation, or None."""
        bounds = getattr(child, "_upper_bounds", None)
        buckets = getattr(child, "_buckets", None)
        total = getattr(child, "_sum", None)
        if bounds is None or buckets is None or total is None:
            return None
        return total.inc, bounds, [_Fast.step(bucket) for bucket in buckets]

    @staticmethod
    def histogram_observe(child: Histogram):
        parts = _Fast.histogram_parts(child)
        if parts is None:
            return child.observe
        sum_inc, bounds, bucket_steps = parts
        bisect_left = bisect.bisect_left

        def observe(amount: float) -> None:
            sum_inc(amount)
            bucket_steps[bisect_left(bounds, amount)]()  # first bound >= amount, as the linear scan finds

        return observe


class Instrument:
    """A declared metric: the prometheus_client object plus cached, cardinality-bounded children."""

    def __init__(self, metric: MetricWrapperBase, shape: Shape, max_label_values: int,
                 overflow: Counter | None) -> None:
        self.metric = metric
        self.shape = shape
        self.name = metric._name
        self.max_label_values = max_label_values
        self._overflow = overflow
        self._children: dict[tuple[str, ...], MetricWrapperBase] = {}
        self._seen: list[set[str]] = [set() for _ in shape.labels]
        self._lock = threading.Lock()

    @property
    def label_names(self) -> tuple[str, ...]:
        return self.shape.labels

    def child(self, values: Sequence[str] = ()) -> MetricWrapperBase:
        """The child for these label values, bounded: new values past the limit map to `other`."""
        key = tuple(values)
        found = self._children.get(key)
        if found is not None:
            return found
        if not self.shape.labels:
            return self.metric
        with self._lock:
            found = self._children.get(key)
            if found is not None:
                return found
            bounded = []
            for index, value in enumerate(key):
                value = str(value)
                seen = self._seen[index]
                if value not in seen and len(seen) >= self.max_label_values:
                    if self._overflow is not None:
                        self._overflow.labels(self.name, self.shape.labels[index]).inc()
                    value = OVERFLOW_VALUE
                else:
                    seen.add(value)
                bounded.append(value)
            child = self.metric.labels(*bounded)
            # Values mapped to `other` are not remembered one by one: the cache stays bounded too.
            if tuple(bounded) == key:
                self._children[key] = child
            return child

    def remembers(self, values: Sequence[str]) -> bool:
        """Whether these label values have a series of their own (values past the bound do not)."""
        return not self.shape.labels or tuple(values) in self._children

    def labels(self, *values: str, **by_name: str) -> MetricWrapperBase:
        if by_name:
            values = tuple(by_name[name] for name in self.shape.labels)
        return self.child(values)

    # Fast updaters, resolved once per child by the decorators.
    def incrementer(self, values: Sequence[str] = ()):
        return _Fast.counter_inc(self.child(values))

    def stepper(self, values: Sequence[str] = ()):
        """A counter child's +1, as a call without arguments."""
        child = self.child(values)
        value = getattr(child, "_value", None)
        return child.inc if value is None else _Fast.step(value)

    def steppers(self, values: Sequence[str] = ()):
        """A gauge child's (+1, -1), as calls without arguments (its public inc and dec where they refuse:
        the `mostrecent` modes)."""
        child = self.child(values)
        value = getattr(child, "_value", None)
        if value is None or getattr(child, "_is_most_recent", True):
            return child.inc, child.dec
        return _Fast.step(value), _Fast.step(value, -1.0)

    def adder(self, values: Sequence[str] = ()):
        """A gauge child's `add(amount)`, negative amounts included (a gauge's inc and dec are both one add)."""
        return _Fast.counter_inc(self.child(values))

    def observer(self, values: Sequence[str] = ()):
        return _Fast.histogram_observe(self.child(values))

    def observer_parts(self, values: Sequence[str] = ()):
        return _Fast.histogram_parts(self.child(values))

    # Convenience pass-throughs for label-less use; exemplars (e.g. {"trace_id": ...}) on counters and
    # histograms, else from the current OpenTelemetry span when opentelemetry-api is installed.
    def inc(self, amount: float = 1.0, exemplar: dict[str, str] | None = None) -> None:
        if self.shape.kind == "counter":
            if exemplar is None and AUTOMATIC.on:
                exemplar = from_current_span()
            self.metric.inc(amount, exemplar)
        elif exemplar is not None:
            raise ValueError(f"{self.name} is a {self.shape.kind}: only counters and histograms take exemplars")
        else:
            self.metric.inc(amount)

    def dec(self, amount: float = 1.0) -> None:
        self.metric.dec(amount)

    def set(self, value: float) -> None:
        self.metric.set(value)

    def observe(self, amount: float, exemplar: dict[str, str] | None = None) -> None:
        if exemplar is None and AUTOMATIC.on:
            exemplar = from_current_span()
        self.metric.observe(amount, exemplar)


_DECLARED: weakref.WeakKeyDictionary[CollectorRegistry, dict[str, Instrument]] = weakref.WeakKeyDictionary()
_OVERFLOW: weakref.WeakKeyDictionary[CollectorRegistry, Counter] = weakref.WeakKeyDictionary()
_DECLARE_LOCK = threading.RLock()


def _overflow_counter(registry: CollectorRegistry) -> Counter:
    counter_ = _OVERFLOW.get(registry)
    if counter_ is None:
        counter_ = Counter("app_instrumentation_label_overflow", "Label values replaced by 'other' because the "
                           "metric's label reached its bound of distinct values.", ["metric", "label"],
                           registry=registry)
        _OVERFLOW[registry] = counter_
    return counter_


def _declare(kind: str, name: str, documentation: str, labels: Sequence[str], registry: CollectorRegistry | None,
             max_label_values: int, buckets: Sequence[float] = (), native: NativeConfig | None = None,
             **kwargs) -> Instrument:
    registry = REGISTRY if registry is None else registry
    shape = Shape(kind, tuple(labels), tuple(float(b) for b in buckets), documentation, native)
    # Counters own both `x` and `x_total` in prometheus_client: one key for both, whatever the kind.
    key = name.removesuffix("_total")
    with _DECLARE_LOCK:
        declared = _DECLARED.setdefault(registry, {})
        existing = declared.get(key)
        if existing is not None:
            if (existing.shape.kind, existing.shape.labels, existing.shape.buckets, existing.shape.native) != \
                    (shape.kind, shape.labels, shape.buckets, shape.native):
                raise MetricShapeError(f"metric {name!r} is already declared as {existing.shape.describe()}; "
                                       f"cannot declare it as {shape.describe()}")
            return existing
        factory = {"counter": Counter, "gauge": Gauge, "histogram": Histogram}[kind]
        if kind == "histogram":
            kwargs["buckets"] = shape.buckets
        try:
            if native is not None:
                metric = NativeHistogram(name, documentation, labels, native, shape.buckets, registry,
                                         multiprocess.NativeStore if multiprocess.directory() else None)
            else:
                metric = factory(name, documentation, list(labels), registry=registry, **kwargs)
        except ValueError as exc:  # taken by a metric declared without this module
            raise MetricShapeError(f"metric {name!r} cannot be declared: {exc}") from exc
        instrument = Instrument(metric, shape, max_label_values,
                                _overflow_counter(registry) if labels else None)
        declared[key] = instrument
        return instrument


def counter(name: str, documentation: str = "", labels: Sequence[str] = (), *,
            registry: CollectorRegistry | None = None, max_label_values: int = DEFAULT_MAX_LABEL_VALUES) -> Instrument:
    """A counter; `name` may end in `_total` (it is exposed with `_total` either way)."""
    return _declare("counter", name, documentation or name, labels, registry, max_label_values)


def gauge(name: str, documentation: str = "", labels: Sequence[str] = (), *,
          registry: CollectorRegistry | None = None, max_label_values: int = DEFAULT_MAX_LABEL_VALUES,
          multiprocess_mode: str = "livesum") -> Instrument:
    """A gauge; under multiprocess mode values of live workers are summed by default."""
    return _declare("gauge", name, documentation or name, labels, registry, max_label_values,
                    multiprocess_mode=multiprocess_mode)


def histogram(name: str, documentation: str = "", labels: Sequence[str] = (), *,
              buckets: Sequence[float] | None = None, registry: CollectorRegistry | None = None,
              max_label_values: int = DEFAULT_MAX_LABEL_VALUES, native_bucket_factor: float | None = None,
              native_zero_threshold: float = DEFAULT_ZERO_THRESHOLD,
              native_max_buckets: int = DEFAULT_MAX_BUCKETS) -> Instrument:
    """A histogram; buckets are sorted upper bounds, +Inf is added.

    `native_bucket_factor` (e.g. 1.1) adds a native histogram: exponential buckets at most that factor wide,
    scraped by Prometheus over protobuf. Classic buckets then exist only if `buckets` is given too."""
    native = None
    if native_bucket_factor is not None:
        if native_max_buckets < 0 or native_zero_threshold < 0:
            raise ValueError("native_max_buckets and native_zero_threshold cannot be negative")
        native = NativeConfig(float(native_bucket_factor), float(native_zero_threshold), int(native_max_buckets))
        native.schema  # noqa: B018 - raises ValueError for a factor <= 1 at declaration
    if buckets is None:
        buckets = () if native is not None else DEFAULT_BUCKETS
    bounds = tuple(sorted(float(b) for b in buckets if b != float("inf")))
    if native is None and not bounds:
        raise ValueError(f"histogram {name!r} needs buckets or native_bucket_factor")
    return _declare("histogram", name, documentation or name, labels, registry, max_label_values, buckets=bounds,
                    native=native)
