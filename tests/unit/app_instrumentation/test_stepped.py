"""Values that step by one without a lock: the same readings as prometheus_client's MutexValue under any mix
of steps, inc() and set(), no lost step across threads, and a gauge of calls in progress never below zero."""

from __future__ import annotations

import random
import threading

import pytest
from prometheus_client import generate_latest
from prometheus_client.values import MutexValue

from app_instrumentation import counter, gauge, histogram
from app_instrumentation.stepped import ATOMIC_STEPS, SteppedValue
from app_instrumentation.testing import fresh_registry, sample

pytestmark = pytest.mark.skipif(not ATOMIC_STEPS, reason="free-threaded build: prometheus_client's values are kept")


@pytest.mark.parametrize(("seed", "values"), [(seed, (0, 0.5, 7.25, -2)) for seed in range(10)]
                         + [(seed, (0, 0.1, 7.3, -2)) for seed in range(10, 20)])
def test_readings_match_a_mutex_value_doing_the_same(seed, values):
    """Exactly with amounts binary fractions hold exactly; otherwise as close as float sums in another order."""
    rng = random.Random(seed)
    exact = values[1] == 0.5
    ours, reference = SteppedValue(), MutexValue("gauge", "g", "g", (), (), "")
    for _ in range(200):
        operation = rng.choice(("up", "down", "inc", "set", "get"))
        if operation == "up":
            ours.up()
            reference.inc(1.0)
        elif operation == "down":
            ours.down()
            reference.inc(-1.0)
        elif operation == "inc":
            amount = rng.choice((0.5, 2.25, -0.125, 3) if exact else (0.1, 2.2, -0.3, 3))
            ours.inc(amount)
            reference.inc(amount)
        elif operation == "set":
            value = rng.choice(values)
            ours.set(value)
            reference.set(value)
        assert ours.get() == (reference.get() if exact else pytest.approx(reference.get(), rel=1e-12, abs=1e-12))
        assert type(ours.get()) is type(reference.get())


def test_no_step_is_lost_across_threads():
    value = SteppedValue()
    barrier = threading.Barrier(4)

    def work():
        barrier.wait()
        for _ in range(20_000):
            value.up()
            value.up()
            value.down()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert value.get() == 80_000.0


def test_a_call_between_the_two_reads_never_makes_the_gauge_negative():
    """get() reads the downs and the ups one after the other; a whole call (up, then down) may run between the
    two reads. Whichever order that happens in, the reading must not be below zero."""
    value = SteppedValue()
    value.up()  # one call in progress

    class CallBetweenReads:
        def __init__(self, count):
            self.count = count

        def __next__(self):
            taken = next(self.count)
            if not called:
                called.append(True)
                value.up()  # another whole call, between this read and the next
                value.down()
            return taken

    called: list[bool] = []
    value._ups, value._downs = CallBetweenReads(value._ups), CallBetweenReads(value._downs)
    assert value.get() >= 1
    assert called == [True]
    assert value.get() == 1


def test_declared_metrics_step_and_expose_like_prometheus_client():
    registry = fresh_registry()
    jobs = counter("jobs_total", "j", ["queue"], registry=registry)
    running = gauge("running", "r", registry=registry)
    latency = histogram("latency_seconds", "l", buckets=(0.1, 1.0), registry=registry)
    step = jobs.stepper(("mail",))
    up, down = running.steppers()
    sum_inc, _, bucket_steps = latency.observer_parts()
    for _ in range(3):
        step()
        up()
    down()
    sum_inc(0.5)
    bucket_steps[1]()
    jobs.labels("mail").inc(0.5)
    assert sample(registry, "jobs_total", queue="mail") == 3.5
    assert sample(registry, "running") == 2.0
    assert sample(registry, "latency_seconds_bucket", le="1.0") == 1.0
    assert sample(registry, "latency_seconds_count") == 1.0
    text = generate_latest(registry).decode()
    assert 'jobs_total{queue="mail"} 3.5' in text and "running 2.0" in text
    jobs.metric.labels("mail").reset()  # prometheus_client's own reset() folds the steps away too
    assert sample(registry, "jobs_total", queue="mail") == 0.0
