"""prometheus_client's Counter, Gauge and Histogram whose values also move by one without a lock.

A decorated call adds exactly one to a counter, a histogram bucket or a gauge of calls in progress (and takes
it off again). `next()` on an `itertools.count` does that in one C call, atomic under the GIL, where
prometheus_client's `MutexValue.inc` costs a Python call and a lock. `get()` and `set()` fold the steps in
under the value's lock. Multiprocess values (files) and free-threaded builds keep prometheus_client's own.
"""

from __future__ import annotations

import itertools
import sys

from prometheus_client import Counter as _Counter
from prometheus_client import Gauge as _Gauge
from prometheus_client import Histogram as _Histogram
from prometheus_client.values import MutexValue

ATOMIC_STEPS = getattr(sys, "_is_gil_enabled", lambda: True)()  # next() on a count is atomic only under the GIL


class SteppedValue(MutexValue):
    """A MutexValue plus `up()` and `down()`: +1 and -1, lock-free. inc() and set() still take the lock."""

    def __init__(self) -> None:
        super().__init__("", "", "", (), (), "")  # MutexValue keeps none of its arguments
        self._ups = itertools.count()
        self._downs = itertools.count()
        self.up = self._ups.__next__
        self.down = self._downs.__next__
        self._reads = 0  # one tick of each count is taken by every read of the steps
        self._folded = (0, 0)  # the (ups, downs) already folded into _value by set()

    def _steps(self) -> tuple[int, int]:
        """(ups, downs) since the last set(), under the lock. Downs are read first: a call's down follows its up,
        so a gauge of calls in progress never reads below zero."""
        downs = next(self._downs) - self._reads
        ups = next(self._ups) - self._reads
        self._reads += 1
        return ups - self._folded[0], downs - self._folded[1]

    def set(self, value, timestamp=None) -> None:
        with self._lock:
            ups, downs = self._steps()
            self._value = value
            self._folded = (self._folded[0] + ups, self._folded[1] + downs)

    def get(self):
        with self._lock:
            ups, downs = self._steps()
            # a float once stepped, as inc(1.0) leaves it
            return self._value + float(ups - downs) if ups or downs else self._value


def _stepped(value):
    """`value` as a SteppedValue when it is a fresh in-process MutexValue (nothing to carry over yet)."""
    return SteppedValue() if ATOMIC_STEPS and type(value) is MutexValue else value


class Counter(_Counter):
    def _metric_init(self) -> None:
        super()._metric_init()
        self._value = _stepped(self._value)


class Gauge(_Gauge):
    def _metric_init(self) -> None:
        super()._metric_init()
        self._value = _stepped(self._value)


class Histogram(_Histogram):
    def _metric_init(self) -> None:
        super()._metric_init()
        self._buckets = [_stepped(bucket) for bucket in self._buckets]
