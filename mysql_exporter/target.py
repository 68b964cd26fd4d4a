"""One monitored server: its connection pool, its scrapers, and the exporter's own counters for it.

A scrape borrows one pooled connection, runs the enabled scrapers on it in turn and reports mysql_up, each
scraper's duration and the errors. A scraper that fails (missing privilege, say) is counted and the others
still run; a server that cannot be reached gives mysql_up 0, never an exception, and the next scrape
reconnects by itself.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
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
                for name, scraper in self.scrapers.items():
                    if db.version < scraper.min_version:
                        continue
                    label = f"collect.{name}"
                    if time.monotonic() > deadline:
                        failed.append(label)
                        self._log_scraper(label, f"skipped: scrape timeout of {timeout:.1f}s reached")
                        continue
                    began = time.perf_counter()
                    try:
                        families.extend(checked(scraper.scrape(db)))
                        self._last_messages.pop(label, None)
                    except mysql.connector.Error as exc:
                        failed.append(label)
                        if exc.errno in CONNECTION_LOST or isinstance(exc, mysql.connector.InterfaceError):
                            raise  # the pool drops the connection; the rest of the scrape is pointless
                        self._log_scraper(label, str(exc))
                    except Exception as exc:  # a parsing surprise must cost one scraper, not the scrape
                        failed.append(label)
                        self._log_scraper(label, f"{type(exc).__name__}: {exc}")
                    durations.add_metric([label], time.perf_counter() - began)
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
