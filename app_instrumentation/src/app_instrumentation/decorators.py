"""Decorators that count, time and track calls of plain functions, methods, coroutines, generators and async
generators alike, measuring the real work: a coroutine until it returns, a generator until it is exhausted
or closed (prometheus_client's `time()` measures only the creation of either).

    @counted("logins_total", "Logins by outcome.", labels={"result": result(lambda ok: "ok" if ok else "denied")})
    def login(user, password) -> bool: ...

    @timed("request_duration_seconds", "Request latency.", labels={"route": "/orders"})
    async def orders(request): ...
"""

from __future__ import annotations

import functools
import inspect
from bisect import bisect_left
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any

from app_instrumentation.asyncgen import wrap_async_generator
from app_instrumentation.labels import LabelPlan, LabelSource
from app_instrumentation.metrics import Instrument, counter, gauge, histogram


def _kind(func: Callable) -> str:
    if inspect.isasyncgenfunction(func):
        return "asyncgen"
    if inspect.iscoroutinefunction(func):
        return "coroutine"
    if inspect.isgeneratorfunction(func):
        return "generator"
    return "function"


class _Recorder:
    """What happens at the end of a call. Constant labels: one update bound at decoration time (`update()`
    adds one to a counter, `update(seconds)` observes; `parts` is a classic histogram's observation to
    inline). Labels from the call: `record(args, kwargs, outcome, error, start)` finds the update for the
    call's values in a bounded cache."""

    def __init__(self, instrument: Instrument, plan: LabelPlan, timing: bool) -> None:
        self.timing = timing
        make = instrument.observer if timing else instrument.stepper
        self.update: Callable | None = make(plan.static_values) if plan.static else None
        self.parts = instrument.observer_parts(plan.static_values) if plan.static and timing else None
        self.record = None if plan.static else self._recorder(plan.compiled(), make,
                                                              4 * instrument.max_label_values)

    def _recorder(self, values_of, make, limit: int) -> Callable[..., None]:
        updates: dict[tuple[str, ...], Callable] = {}

        def find(key: tuple[str, ...]) -> Callable:
            found = updates.get(key)
            if found is None:
                found = make(key)
                if len(updates) < limit:
                    updates[key] = found
            return found

        if self.timing:
            def record_duration(args, kwargs, outcome, error, start: float) -> None:
                amount = perf_counter() - start
                key = values_of(args, kwargs, outcome, error)
                (updates.get(key) or find(key))(amount)
            return record_duration

        def record_count(args, kwargs, outcome, error, start: float) -> None:
            key = values_of(args, kwargs, outcome, error)
            (updates.get(key) or find(key))()
        return record_count


def _wrap(func: Callable, recorder: _Recorder, timing: bool) -> Callable:
    """The wrapper for func's kind; `timing` decides whether the update is the duration or a count.

    Each calls `func(*args)` when there are no keyword arguments: `func(*args, **kwargs)` builds a copy of
    the dict on every call."""
    kind = _kind(func)
    if kind == "asyncgen":
        return functools.wraps(func)(wrap_async_generator(func, recorder.update, recorder.record, recorder.parts,
                                                          timing, bisect_left, perf_counter))
    update, record = recorder.update, recorder.record
    sum_inc, bounds, bucket_steps = recorder.parts or (None, None, None)
    bisect = bisect_left
    clock = perf_counter  # a closure variable: cheaper to reach than the module global on every call

    if kind == "function":
        if recorder.parts is not None:
            @functools.wraps(func)
            def timed_inline(*args, **kwargs):
                start = clock()
                try:
                    return func(*args, **kwargs) if kwargs else func(*args)
                finally:
                    amount = clock() - start
                    sum_inc(amount)
                    bucket_steps[bisect(bounds, amount)]()
            return timed_inline
        if update is not None and timing:
            @functools.wraps(func)
            def timed_static(*args, **kwargs):
                start = clock()
                try:
                    return func(*args, **kwargs) if kwargs else func(*args)
                finally:
                    update(clock() - start)
            return timed_static
        if update is not None:
            @functools.wraps(func)
            def counted_static(*args, **kwargs):
                try:
                    return func(*args, **kwargs) if kwargs else func(*args)
                finally:
                    update()
            return counted_static

        @functools.wraps(func)
        def dynamic(*args, **kwargs):
            start = clock() if timing else 0.0
            try:
                outcome = func(*args, **kwargs) if kwargs else func(*args)
            except BaseException as error:
                record(args, kwargs, None, error, start)
                raise
            record(args, kwargs, outcome, None, start)
            return outcome
        return dynamic

    if kind == "coroutine":
        if recorder.parts is not None:
            @functools.wraps(func)
            async def coroutine_timed_inline(*args, **kwargs):
                start = clock()
                try:
                    return await (func(*args, **kwargs) if kwargs else func(*args))
                finally:
                    amount = clock() - start
                    sum_inc(amount)
                    bucket_steps[bisect(bounds, amount)]()
            return coroutine_timed_inline
        if update is not None and timing:
            @functools.wraps(func)
            async def coroutine_timed_static(*args, **kwargs):
                start = clock()
                try:
                    return await (func(*args, **kwargs) if kwargs else func(*args))
                finally:
                    update(clock() - start)
            return coroutine_timed_static
        if update is not None:
            @functools.wraps(func)
            async def coroutine_counted_static(*args, **kwargs):
                try:
                    return await (func(*args, **kwargs) if kwargs else func(*args))
                finally:
                    update()
            return coroutine_counted_static

        @functools.wraps(func)
        async def coroutine_dynamic(*args, **kwargs):
            start = clock() if timing else 0.0
            try:
                outcome = await (func(*args, **kwargs) if kwargs else func(*args))
            except BaseException as error:
                record(args, kwargs, None, error, start)
                raise
            record(args, kwargs, outcome, None, start)
            return outcome
        return coroutine_dynamic

    # A generator: timed until exhausted or closed (closed early by the consumer, the work it asked for is
    # done); `yield from` forwards send(), throw() and close().
    if recorder.parts is not None:
        @functools.wraps(func)
        def generator_timed_inline(*args, **kwargs):
            start = clock()
            try:
                return (yield from (func(*args, **kwargs) if kwargs else func(*args)))
            finally:
                amount = clock() - start
                sum_inc(amount)
                bucket_steps[bisect(bounds, amount)]()
        return generator_timed_inline
    if update is not None and timing:
        @functools.wraps(func)
        def generator_timed_static(*args, **kwargs):
            start = clock()
            try:
                return (yield from (func(*args, **kwargs) if kwargs else func(*args)))
            finally:
                update(clock() - start)
        return generator_timed_static
    if update is not None:
        @functools.wraps(func)
        def generator_counted_static(*args, **kwargs):
            try:
                return (yield from (func(*args, **kwargs) if kwargs else func(*args)))
            finally:
                update()
        return generator_counted_static

    @functools.wraps(func)
    def generator(*args, **kwargs):
        start = clock() if timing else 0.0
        try:
            outcome = yield from (func(*args, **kwargs) if kwargs else func(*args))
        except GeneratorExit:  # closed early: no error
            record(args, kwargs, None, None, start)
            raise
        except BaseException as error:
            record(args, kwargs, None, error, start)
            raise
        record(args, kwargs, outcome, None, start)
        return outcome
    return generator


def _instrument_for(metric: Instrument | str, documentation: str, labels: Mapping[str, LabelSource] | None,
                    factory: Callable[..., Instrument], **kwargs) -> Instrument:
    if isinstance(metric, Instrument):
        wanted = tuple((labels or {}).keys())
        if metric.label_names != wanted:
            raise ValueError(f"{metric.name} has labels {list(metric.label_names)}, the decorator gives "
                             f"{list(wanted)}")
        return metric
    return factory(metric, documentation, tuple((labels or {}).keys()), **kwargs)


def counted(metric: Instrument | str, documentation: str = "", *, labels: Mapping[str, LabelSource] | None = None,
            **declare: Any) -> Callable[[Callable], Callable]:
    """Count completed calls (returned or raised), labelled by constants, arguments or outcome."""

    def decorate(func: Callable) -> Callable:
        instrument = _instrument_for(metric, documentation, labels, counter, **declare)
        return _wrap(func, _Recorder(instrument, LabelPlan(func, labels), timing=False), timing=False)

    return decorate


def timed(metric: Instrument | str, documentation: str = "", *, labels: Mapping[str, LabelSource] | None = None,
          buckets=None, **declare: Any) -> Callable[[Callable], Callable]:
    """Observe each call's duration in seconds into a histogram, labelled by constants, arguments or outcome.

    `native_bucket_factor=1.1` (and the other `native_*` options of `histogram()`) makes it a native histogram."""

    def decorate(func: Callable) -> Callable:
        instrument = _instrument_for(metric, documentation, labels, histogram, buckets=buckets, **declare)
        return _wrap(func, _Recorder(instrument, LabelPlan(func, labels), timing=True), timing=True)

    return decorate


def in_progress(metric: Instrument | str, documentation: str = "", *,
                labels: Mapping[str, LabelSource] | None = None, **declare: Any) -> Callable[[Callable], Callable]:
    """A gauge of calls currently running (labels from constants or arguments only: the outcome is unknown)."""

    def decorate(func: Callable) -> Callable:
        instrument = _instrument_for(metric, documentation, labels, gauge, **declare)
        plan = LabelPlan(func, labels)
        if plan.needs_outcome:
            raise ValueError("in_progress labels cannot depend on the result or the exception")
        kind = _kind(func)
        static = instrument.steppers(plan.static_values) if plan.static else None
        values_of = None if plan.static else plan.compiled()
        steppers: dict[tuple[str, ...], tuple[Callable, Callable]] = {}

        def lookup(args, kwargs) -> tuple[Callable, Callable]:
            key = values_of(args, kwargs, None, None)
            found = steppers.get(key)
            if found is None:
                found = instrument.steppers(key)
                if instrument.remembers(key):  # values past the bound map to `other` afresh on every call
                    steppers[key] = found
            return found

        if kind == "function":
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                up, down = static or lookup(args, kwargs)
                up()
                try:
                    return func(*args, **kwargs) if kwargs else func(*args)
                finally:
                    down()
            return wrapper
        if kind == "coroutine":
            @functools.wraps(func)
            async def coroutine_wrapper(*args, **kwargs):
                up, down = static or lookup(args, kwargs)
                up()
                try:
                    return await (func(*args, **kwargs) if kwargs else func(*args))
                finally:
                    down()
            return coroutine_wrapper
        if kind == "generator":
            @functools.wraps(func)
            def generator_wrapper(*args, **kwargs):
                up, down = static or lookup(args, kwargs)
                up()
                try:
                    return (yield from (func(*args, **kwargs) if kwargs else func(*args)))
                finally:
                    down()
            return generator_wrapper

        @functools.wraps(func)
        async def async_generator_wrapper(*args, **kwargs):
            up, down = static or lookup(args, kwargs)
            up()
            try:
                async for item in (func(*args, **kwargs) if kwargs else func(*args)):
                    yield item
            finally:
                down()
        return async_generator_wrapper

    return decorate


class timer:
    """Context manager (sync and async) observing the block's duration; labels may be set late, inside the
    block, once known (`t.labels(result="ok")`). An exception leaves `exception` set to its class name if
    that label exists and was not set."""

    def __init__(self, instrument: Instrument, **labels: str) -> None:
        self.instrument = instrument
        self._labels = dict(labels)
        self.duration: float | None = None

    def labels(self, **labels: str) -> timer:
        self._labels.update(labels)
        return self

    def __enter__(self) -> timer:
        self._start = perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.duration = perf_counter() - self._start
        if exc_type is not None and "exception" in self.instrument.label_names:
            self._labels.setdefault("exception", exc_type.__name__)
        missing = [name for name in self.instrument.label_names if name not in self._labels]
        if missing:
            raise ValueError(f"timer for {self.instrument.name} is missing label values for {missing}")
        values = [str(self._labels[name]) for name in self.instrument.label_names]
        self.instrument.observer(values)(self.duration)

    async def __aenter__(self) -> timer:
        return self.__enter__()

    async def __aexit__(self, exc_type, exc, tb) -> None:
        self.__exit__(exc_type, exc, tb)
