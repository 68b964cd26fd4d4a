"""One monitored server: its connection pool, its scrapers, and the exporter's own counters for it.

A scrape borrows one pooled connection and, when another is free at once, a second one; both take the enabled
scrapers from one queue (the slowest last time first) and the scrape reports mysql_up, each scraper's duration
and the errors, in the scrapers' order. A scraper that fails (missing privilege, say) is counted and the others
still run; a server that cannot be reached gives mysql_up 0, never an exception, and the next scrape
reconnects by itself.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mysql.connector
from prometheus_client.core import Metric

from exporter_toolkit.families import counter, gauge
from exporter_toolkit.outage import OutageLog
from mysql_exporter.config import ClientConfig
from mysql_exporter.db import DB, SessionSettings, connect
from mysql_exporter.pool import ConnectionPool, PoolTimeout

log = logging.getLogger("mysql_exporter")
# The connector logs its plugin loading at INFO on every connect; only its warnings are worth a line.
logging.getLogger("mysql.connector").setLevel(logging.WARNING)

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
# Client errors that mean the connection itself is gone (server restarted, network cut).
CONNECTION_LOST = {2006, 2013, 2055}
# While the server stays unreachable, one reminder line at most this often (seconds).
REMINDER_INTERVAL = 60.0
# A second connection pays only when the scrapers' own time is well above a thread's and a connection check's
# cost (measured: every scraper on, ~60 ms, p50 -22%; the default ones, ~12 ms, -3% for 15% more CPU).
SPARE_LANE_ABOVE = 0.025


@dataclass
class _Scrape:
    """One scrape's scrapers, the queue its lanes take them from, and what each gave, by position."""

    scrapers: list[tuple[str, Any]]
    cost: dict[str, float]
    deadline: float
    timeout: float
    pending: deque = field(init=False)
    results: dict[int, list[Metric]] = field(default_factory=dict)
    seconds: dict[int, float] = field(default_factory=dict)
    failed: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        order = sorted(enumerate(self.scrapers), key=lambda item: -self.cost.get(item[1][0], 0.0))
        self.pending = deque(order)  # popleft from two threads: atomic

    def expected_seconds(self) -> float:
        """What the scrapers took last time (0 for a first scrape)."""
        return sum(self.cost.get(name, 0.0) for name, _ in self.scrapers)


class Target:
    def __init__(self, client: ClientConfig, scrapers: dict[str, Any], settings: SessionSettings,
                 pool_size: int = 2, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.scrapers = scrapers
        self.settings = settings
        self.pool = ConnectionPool(lambda: connect(client, settings), pool_size)
        self._lock = threading.Lock()
        self.scrapes_total = 0
        self.scrape_errors: dict[str, int] = {}
        self.last_scrape_error = 0.0
        self._last_messages: dict[str, str] = {}
        self._cost: dict[str, float] = {}  # scraper -> its last duration: the longest are started first
        self.outage = OutageLog(log, "MySQL is unreachable, mysql_up is 0", "MySQL still unreachable",
                                "MySQL is reachable again", context={"target": client.target},
                                count_field="failed_scrapes", remind_every=REMINDER_INTERVAL, clock=clock,
                                describe=self._describe)

    def collect(self, timeout: float | None = None) -> list[Metric]:
        """Scrape the server once; never raises for anything the server or the network does."""
        timeout = timeout or self.settings.timeout
        deadline = time.monotonic() + timeout
        families: list[Metric] = []
        durations = gauge("mysql_exporter_collector_duration_seconds", "Collector time duration.", ["collector"])
        failed: list[str] = []
        up = 0.0
        start = time.perf_counter()
        try:
            with self.pool.connection(timeout) as conn:
                durations.add_metric(["connection"], time.perf_counter() - start)
                up = 1.0
                self._note_up(True, None)
                db = DB(conn)
                scrape = _Scrape([(name, scraper) for name, scraper in self.scrapers.items()
                                  if db.version >= scraper.min_version], self._cost, deadline, timeout)
                helper = threading.Thread(target=self._spare_lane, args=(scrape,), daemon=True) \
                    if scrape.expected_seconds() > SPARE_LANE_ABOVE else None
                if helper is not None:
                    helper.start()
                try:
                    self._lane(db, scrape)
                finally:
                    if helper is not None:
                        helper.join()
                    for index, (name, _) in enumerate(scrape.scrapers):
                        label = f"collect.{name}"
                        if index in scrape.failed:
                            failed.append(label)
                        families.extend(scrape.results.get(index, ()))
                        if index in scrape.seconds:
                            durations.add_metric([label], scrape.seconds[index])
                            self._cost[name] = scrape.seconds[index]
        except (mysql.connector.Error, PoolTimeout, OSError) as exc:
            up = 0.0
            self._note_up(False, exc)
        with self._lock:
            self.scrapes_total += 1
            for label in failed:
                self.scrape_errors[label] = self.scrape_errors.get(label, 0) + 1
            self.last_scrape_error = 1.0 if failed or not up else 0.0
            families.extend(self._exporter_families(durations, up))
        return families

    def _spare_lane(self, scrape: _Scrape) -> None:
        """Scrapers taken from the same queue on a second pooled connection, when one is free at once: the
        server's time on one query overlaps the parsing of another's rows. Nothing here ends the scrape: a spare
        connection that cannot be had or is lost leaves the rest of the queue to the first one."""
        try:
            with self.pool.spare_connection() as conn:
                if conn is not None:
                    self._lane(DB(conn), scrape)
        except (mysql.connector.Error, OSError):
            pass  # the scraper that was running is counted failed; the first connection goes on

    def _lane(self, db: DB, scrape: _Scrape) -> None:
        """Run scrapers from the shared queue, most expensive last time first, until it is empty."""
        while True:
            try:
                index, (name, scraper) = scrape.pending.popleft()
            except IndexError:
                return
            label = f"collect.{name}"
            if time.monotonic() > scrape.deadline:
                scrape.failed.add(index)
                self._log_scraper(label, f"skipped: scrape timeout of {scrape.timeout:.1f}s reached")
                continue
            began = time.perf_counter()
            try:
                scrape.results[index] = checked(scraper.scrape(db))
                self._last_messages.pop(label, None)
            except mysql.connector.Error as exc:
                scrape.failed.add(index)
                if exc.errno in CONNECTION_LOST or isinstance(exc, mysql.connector.InterfaceError):
                    raise  # the pool drops the connection; this lane ends
                self._log_scraper(label, str(exc))
            except Exception as exc:  # a parsing surprise must cost one scraper, not the scrape
                scrape.failed.add(index)
                self._log_scraper(label, f"{type(exc).__name__}: {exc}")
            scrape.seconds[index] = time.perf_counter() - began

    def _exporter_families(self, durations, up: float) -> list[Metric]:
        errors = counter("mysql_exporter_scrape_errors_total",
                         "Total number of times an error occurred scraping a MySQL.", ["collector"])
        for label, count in sorted(self.scrape_errors.items()):
            errors.add_metric([label], float(count))
        families = [durations] if durations.rows else []
        families += [
            gauge("mysql_up", "Whether the MySQL server is up.", value=up),
            counter("mysql_exporter_scrapes_total", "Total number of times MySQL was scraped for metrics.",
                    value=float(self.scrapes_total)),
            gauge("mysql_exporter_last_scrape_error", "Whether the last scrape of metrics from MySQL resulted in an "
                  "error (1 for error, 0 for success).", value=self.last_scrape_error),
        ]
        if errors.rows:
            families.append(errors)
        return families

    def _note_up(self, up: bool, error: Exception | None) -> None:
        """Log the outage, not every failed scrape (exporter_toolkit.outage)."""
        if up:
            self.outage.succeeded()
        else:
            self.outage.failed(error)

    def _describe(self, error: Exception | None) -> str:
        """The error's text with the password masked, should a driver ever echo it."""
        text = describe(error)
        password = self.client.password
        return text.replace(password, "<secret>") if password else text

    def _log_scraper(self, label: str, message: str) -> None:
        if self.client.password:
            message = message.replace(self.client.password, "<secret>")
        if self._last_messages.get(label) != message:
            log.error("Error from scraper", extra={"scraper": label, "target": self.client.target, "err": message})
            self._last_messages[label] = message

    def close(self) -> None:
        self.pool.close()


def describe(error: Exception | None) -> str:
    if isinstance(error, mysql.connector.Error) and error.msg:
        return f"{error.errno} {error.msg}" if error.errno else error.msg
    return str(error)


def checked(produced) -> list[Metric]:
    """A scraper's families, whole, once each is known to render: a name from the data that is no metric name, a
    NULL label value or a value that is no number raises ValueError (that scraper fails, the scrape goes on)
    instead of breaking the rendering of the whole scrape. A scraper failing half way leaves nothing behind."""
    families = list(produced)
    for family in families:
        if not _METRIC_NAME.fullmatch(family.name):
            raise ValueError(f"invalid metric name {family.name[:80]!r}")
        rows = family.rows if hasattr(family, "rows") else [(s.labels.values(), s.value) for s in family.samples]
        for values, value in rows:
            if not isinstance(value, int | float) or not all(isinstance(v, str) for v in values):
                raise ValueError(f"{family.name}: label values {list(values)[:8]!r}, value {value!r}")
    return families
