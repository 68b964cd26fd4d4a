"""The scraper interface and the single set of scrapers (flags --collect.NAME, as in mysqld_exporter)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from prometheus_client.core import Metric

from exporter_toolkit.collectors import CollectorSet
from mysql_exporter.db import DB

SCRAPERS = CollectorSet("collect")
register = SCRAPERS.register


class Scraper(Protocol):
    name: str
    min_version: float

    def __init__(self, options: dict[str, Any]) -> None: ...

    def scrape(self, db: DB) -> Iterable[Metric]: ...


class NotSupported(Exception):
    """The server lacks what the scraper reads (a plugin, a table): nothing to report, not an error."""
