"""The scraper interface and the single set of scrapers (flags --collect.NAME, as in mysqld_exporter)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from prometheus_client.core import Metric

from exporter_toolkit.collectors import CollectorSet, Unit
from mysql_exporter.db import DB

SCRAPERS = CollectorSet("collect", context_for_all=False)
register = SCRAPERS.register


class Scraper(Unit):
    """A MySQL scraper: `name` (and `enabled_by_default`, `help`, Option flags) on the class, the oldest server
    version it reads; a scraper declaring options takes the parsed options when built, the others nothing.
    `scrape()` yields the families of one scrape."""

    min_version: ClassVar[float] = 5.1

    def scrape(self, db: DB) -> Iterator[Metric]:
        raise NotImplementedError
