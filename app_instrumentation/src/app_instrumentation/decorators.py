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
    """What happens at the end of a call: the updater for the call's label values, applied to `amount`."""

    def __init__(self, instrument: Instrument, plan: LabelPlan, method: str) -> None:
        self.instrument = instrument
        self.plan = plan
        self.method = method  # "inc" or "observe"
        self._updaters: dict[tuple[str, ...], Callable[[float], None]] = {}
        self.static = self._make(plan.static_values) if plan.static else None
        # For constant labels and a histogram: the pieces of an observation, inlined into the wrapper.
        self.parts = instrument.observer_parts(plan.static_values) if plan.static and method == "observe" else None

    def _make(self, values) -> Callable[[float], None]:
        return self.instrument.observer(values) if self.method == "observe" else self.instrument.incrementer(values)

    def updater(self, values: list[str]) -> Callable[[float], None]:
        key = tuple(values)
        found = self._updaters.get(key)
        if found is None:
            found = self._make(key)
            if len(self._updaters) < 4 * self.instrument.max_label_values:
                self._updaters[key] = found
        return found

    def record(self, args, kwargs, outcome, error, amount: float) -> None:
        self.updater(self.plan.values(args, kwargs, outcome, error))(amount)


def _wrap(func: Callable, recorder: _Recorder, timing: bool) -> Callable:
    """The wrapper for func's kind; `timing` decides whether the amount is the duration or 1."""
    kind = _kind(func)
    static = recorder.static
    record = recorder.record
    now = perf_counter  # a closure variable: cheaper to reach than the module global on every call

    if kind == "function":
        if recorder.parts is not None:
            sum_inc, bounds, bucket_incs = recorder.parts

            @functools.wraps(func)
            def timed_inline(*args, **kwargs):
                start = now()
                try:
                    return func(*args, **kwargs)
                finally:
                    amount = now() - start
                    sum_inc(amount)
                    bucket_incs[bisect_left(bounds, amount)](1)
            return timed_inline
        if static is not None and timing:
            @functools.wraps(func)
            def timed_static(*args, **kwargs):
                start = now()
                try:
                    return func(*args, **kwargs)
                finally:
                    static(now() - start)
            return timed_static
        if static is not None:
            @functools.wraps(func)
            def counted_static(*args, **kwargs):
                try:
                    return func(*args, **kwargs)
                finally:
                    static(1.0)
            return counted_static

        @functools.wraps(func)
        def dynamic(*args, **kwargs):
            start = now()
            try:
                outcome = func(*args, **kwargs)
            except BaseException as error:
                record(args, kwargs, None, error, now() - start if timing else 1.0)
                raise
            record(args, kwargs, outcome, None, now() - start if timing else 1.0)
            return outcome
        return dynamic

    if kind == "coroutine":
        if recorder.parts is not None:
            sum_inc, bounds, bucket_incs = recorder.parts

            @functools.wraps(func)
            async def coroutine_timed_inline(*args, **kwargs):
                start = now()
                try:
                    return await func(*args, **kwargs)
                finally:
                    amount = now() - start
                    sum_inc(amount)
                    bucket_incs[bisect_left(bounds, amount)](1)
            return coroutine_timed_inline
        if static is not None and timing:
            @functools.wraps(func)
            async def coroutine_timed_static(*args, **kwargs):
                start = now()
                try:
                    return await func(*args, **kwargs)
                finally:
                    static(now() - start)
            return coroutine_timed_static
        if static is not None:
            @functools.wraps(func)
            async def coroutine_counted_static(*args, **kwargs):
                try:
                    return await func(*args, **kwargs)
                finally:
                    static(1.0)
            return coroutine_counted_static

        @functools.wraps(func)
        async def coroutine_dynamic(*args, **kwargs):
            start = now()
            try:
                outcome = await func(*args, **kwargs)
            except BaseException as error:
                record(args, kwargs, None, error, now() - start if timing else 1.0)
                raise
            record(args, kwargs, outcome, None, now() - start if timing else 1.0)
            return outcome
        return coroutine_dynamic

    if kind == "generator":
        @functools.wraps(func)
        def generator(*args, **kwargs):
            start = now()
            try:
                outcome = yield from func(*args, **kwargs)  # forwards send(), throw() and close()
            except GeneratorExit:  # closed early by the consumer: the work it asked for is done
                record(args, kwargs, None, None, now() - start if timing else 1.0)
                raise
            except BaseException as error:
                record(args, kwargs, None, error, now() - start if timing else 1.0)
                raise
            record(args, kwargs, outcome, None, now() - start if timing else 1.0)
            return outcome
        return generator

    @functools.wraps(func)
    async def async_generator(*args, **kwargs):
        agen = func(*args, **kwargs)
        start = now()
        error: BaseException | None = None
        try:
            sent = None
            while True:
                try:
                    item = await agen.asend(sent)
                except StopAsyncIteration:
                    break
                try:
                    sent = yield item
                except GeneratorExit:
                    await agen.aclose()
                    raise
                except BaseException as thrown:  # athrow() from the consumer goes to the wrapped generator
                    try:
                        item = await agen.athrow(thrown)
                    except StopAsyncIteration:
                        break
                    sent = yield item
        except GeneratorExit:
            pass
        except BaseException as raised:
            error = raised
            raise
        finally:
            record(args, kwargs, None, error, now() - start if timing else 1.0)
    return async_generator


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
        return _wrap(func, _Recorder(instrument, LabelPlan(func, labels), "inc"), timing=False)

    return decorate


def timed(metric: Instrument | str, documentation: str = "", *, labels: Mapping[str, LabelSource] | None = None,
          buckets=None, **declare: Any) -> Callable[[Callable], Callable]:
    """Observe each call's duration in seconds into a histogram, labelled by constants, arguments or outcome.

    `native_bucket_factor=1.1` (and the other `native_*` options of `histogram()`) makes it a native histogram."""

    def decorate(func: Callable) -> Callable:
        instrument = _instrument_for(metric, documentation, labels, histogram, buckets=buckets, **declare)
        return _wrap(func, _Recorder(instrument, LabelPlan(func, labels), "observe"), timing=True)

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

        def child(args, kwargs):
            return instrument.child(plan.static_values if plan.static else plan.values(args, kwargs))

        if kind == "function":
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                tracked = child(args, kwargs)
                tracked.inc()
                try:
                    return func(*args, **kwargs)
                finally:
                    tracked.dec()
            return wrapper
        if kind == "coroutine":
            @functools.wraps(func)
            async def coroutine_wrapper(*args, **kwargs):
                tracked = child(args, kwargs)
                tracked.inc()
                try:
                    return await func(*args, **kwargs)
                finally:
                    tracked.dec()
            return coroutine_wrapper
        if kind == "generator":
            @functools.wraps(func)
            def generator_wrapper(*args, **kwargs):
                tracked = child(args, kwargs)
                tracked.inc()
                try:
                    return (yield from func(*args, **kwargs))
                finally:
                    tracked.dec()
            return generator_wrapper

        @functools.wraps(func)
        async def async_generator_wrapper(*args, **kwargs):
            tracked = child(args, kwargs)
            tracked.inc()
            try:
                async for item in func(*args, **kwargs):
                    yield item
            finally:
                tracked.dec()
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
