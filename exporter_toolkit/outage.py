"""The log of an outage of something an exporter depends on (a database, the Kubernetes API server): a warning
when it starts, at most one reminder a minute while it lasts (failure count, how long, the last error), one info
line when it ends. Retries may be as frequent as they like; the log does not follow them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

REMIND_EVERY = 60.0  # seconds between two "still failing" lines of one outage


class OutageLog:
    """`started`, `reminder` and `recovered` are the three messages; `context` is added to each line's fields,
    the failure count goes in `count_field`, the error text comes from `describe` (mask secrets there)."""

    def __init__(self, logger: logging.Logger, started: str, reminder: str, recovered: str, *,
                 context: Mapping[str, Any] | None = None, count_field: str = "failures",
                 remind_every: float = REMIND_EVERY, clock: Callable[[], float] = time.monotonic,
                 describe: Callable[[BaseException | None], str] = str) -> None:
        self.logger, self.started, self.reminder, self.recovered = logger, started, reminder, recovered
        self.context = dict(context or {})
        self.count_field, self.remind_every, self.clock, self.describe = count_field, remind_every, clock, describe
        self.failures = 0  # since the outage started; 0 while all is well
        self.since: float | None = None
        self._last_reminder = 0.0
        self._lock = threading.Lock()

    @property
    def failing(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException | None) -> None:
        with self._lock:
            now = self.clock()
            self.failures += 1
            if self.since is None:
                self.since = self._last_reminder = now
                self.logger.warning(self.started, extra={**self.context, "err": self.describe(error)})
            elif now - self._last_reminder >= self.remind_every:
                self._last_reminder = now
                self.logger.warning(self.reminder, extra={**self.context, self.count_field: self.failures,
                                                          "down_for": f"{now - self.since:.0f}s",
                                                          "err": self.describe(error)})

    def succeeded(self) -> None:
        with self._lock:
            if self.since is not None:
                self.logger.info(self.recovered, extra={**self.context, self.count_field: self.failures,
                                                        "down_for": f"{self.clock() - self.since:.0f}s"})
            self.failures, self.since = 0, None
