"""SHOW ENGINE INNODB STATUS: the few figures mysqld_exporter reads from its text (queries inside InnoDB and
in queue, open read views)."""

from __future__ import annotations

import re

from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERIES = re.compile(r"(\d+) queries inside InnoDB, (\d+) queries in queue")
READ_VIEWS = re.compile(r"(\d+) read views open inside InnoDB")


def parse_innodb_status(status: str) -> list:
    """Families in the order the lines come, one sample per matching line (as Go, which sends each match)."""
    families = []
    for line in status.split("\n"):
        match = QUERIES.search(line)
        if match:
            families.append(gauge("mysql_engine_innodb_queries_inside_innodb", "Queries inside InnoDB.",
                                  value=float(match.group(1))))
            families.append(gauge("mysql_engine_innodb_queries_in_queue", "Queries in queue.",
                                  value=float(match.group(2))))
            continue
        match = READ_VIEWS.search(line)
        if match:
            families.append(gauge("mysql_engine_innodb_read_views_open_inside_innodb", "Read views open inside InnoDB.",
                                  value=float(match.group(1))))
    return families


@register
class EngineInnodbStatus(Scraper):
    name = "engine_innodb_status"
    enabled_by_default = False
    help = "Collect from SHOW ENGINE INNODB STATUS"
    min_version = 5.1

    def scrape(self, db: DB):
        _, rows = db.query("SHOW ENGINE INNODB STATUS")
        if not rows:
            return
        yield from parse_innodb_status(rows[0][2] or "")
