"""Overhead per decorated call against the hand-written prometheus_client equivalent, in one run.

Each pair does the same thing: count a call, or time it into a histogram (unlabelled, labelled by an
argument, and around a coroutine). Prints ns per call (best of several timeit repeats) and ours/hand-written.

    python -m benchmarks.app_instrumentation_bench [--calls 200000] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import timeit
from time import perf_counter

from prometheus_client import CollectorRegistry, Counter, Histogram

from app_instrumentation import arg, counted, timed


def build(registry: CollectorRegistry) -> dict[str, tuple]:
    hand_counter = Counter("hand_calls", "c", registry=registry)
    hand_hist = Histogram("hand_seconds", "h", registry=registry)
    hand_labelled = Histogram("hand_route_seconds", "h", ["route"], registry=registry)
    hand_coro_hist = Histogram("hand_coro_seconds", "h", registry=registry)

    def hand_count():
        hand_counter.inc()

    def hand_time():
        start = perf_counter()
        try:
            pass
        finally:
            hand_hist.observe(perf_counter() - start)

    def hand_labelled_time(route):
        start = perf_counter()
        try:
            pass
        finally:
            hand_labelled.labels(route).observe(perf_counter() - start)

    async def hand_coroutine():
        start = perf_counter()
        try:
            pass
        finally:
            hand_coro_hist.observe(perf_counter() - start)

    @counted("ours_calls", "c", registry=registry)
    def our_count():
        pass

    @timed("ours_seconds", "h", registry=registry)
    def our_time():
        pass

    @timed("ours_route_seconds", "h", labels={"route": arg("route")}, registry=registry)
    def our_labelled_time(route):
        pass

    @timed("ours_coro_seconds", "h", registry=registry)
    async def our_coroutine():
        pass

    def drive(coroutine_function):
        def run():
            coroutine = coroutine_function()
            with contextlib.suppress(StopIteration):  # a coroutine that never awaits finishes on first send
                coroutine.send(None)
        return run

    return {
        "counter": (our_count, hand_count),
        "histogram": (our_time, hand_time),
        "labelled histogram": (lambda: our_labelled_time("/orders"), lambda: hand_labelled_time("/orders")),
        "coroutine": (drive(our_coroutine), drive(hand_coroutine)),
    }


def ns_per_call(func, calls: int, repeats: int) -> float:
    return min(timeit.repeat(func, number=calls, repeat=repeats)) / calls * 1e9


def run(calls: int, repeats: int = 5) -> dict[str, dict[str, float]]:
    results = {}
    for name, (ours, hand) in build(CollectorRegistry()).items():
        ours_ns, hand_ns = ns_per_call(ours, calls, repeats), ns_per_call(hand, calls, repeats)
        results[name] = {"ours_ns": ours_ns, "hand_ns": hand_ns, "ratio": ours_ns / hand_ns}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.calls)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"app_instrumentation: ns per call, best of 5 x {args.calls} calls")
    print(f"{'':22}{'ours':>10}{'hand':>10}{'ratio':>8}")
    for name, row in results.items():
        print(f"{name:22}{row['ours_ns']:>10.0f}{row['hand_ns']:>10.0f}{row['ratio']:>8.2f}")


if __name__ == "__main__":
    main()
