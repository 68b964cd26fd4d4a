"""Errors met reading custom objects (a path on the wrong type, a value that is not a number): counted for the
telemetry endpoint, logged at most once a minute per metric with the number left unlogged."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

from exporter_toolkit.families import Family, counter

log = logging.getLogger(__name__)
LOG_EVERY = 60.0


class ReadErrors:
    """kube_state_metrics_custom_resource_state_errors_total by resource and metric, and the throttled log."""

    def __init__(self, log_every: float = LOG_EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self.log_every, self.clock = log_every, clock
        self.lock = threading.Lock()
        self.counts: dict[tuple[str, str], int] = {}
        self._last_logged: dict[str, float] = {}
        self._unlogged: dict[str, int] = {}

    def record(self, resource: str, metric: str, obj: str, error: str, verbose: bool) -> None:
        """Count one error; log it unless this metric logged less than log_every ago (`verbose`: errorLogV > 0,
        logged at debug, as KSM logs it at that klog verbosity)."""
        now = self.clock()
        with self.lock:
            self.counts[(resource, metric)] = self.counts.get((resource, metric), 0) + 1
            last = self._last_logged.get(metric)
            if last is not None and now - last < self.log_every:
                self._unlogged[metric] = self._unlogged.get(metric, 0) + 1
                return
            self._last_logged[metric] = now
            unlogged = self._unlogged.pop(metric, 0)
        log.log(logging.DEBUG if verbose else logging.WARNING, "custom resource metric: cannot read object",
                extra={"metric": metric, "object": obj, "err": error, "unlogged_since_last": unlogged})

    def collect(self) -> Iterator[Family]:
        family = counter("kube_state_metrics_custom_resource_state_errors_total",
                         "Errors reading custom objects for custom resource state metrics (each is also logged, at "
                         "most once a minute per metric).", ["resource", "metric"])
        with self.lock:
            for (resource, metric), value in sorted(self.counts.items()):
                family.add_metric([resource, metric], value)
        yield family
