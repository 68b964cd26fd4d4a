"""SHOW ENGINE TOKUDB STATUS (Percona Server with TokuDB): every numeric status line as a generic metric."""

from __future__ import annotations

from exporter_toolkit.families import untyped
from mysql_exporter.db import DB
from mysql_exporter.parse import parse_status
from mysql_exporter.scraper import Scraper, register

# mysqld_exporter's sanitizeTokudbMetric, applied in this order.
_REPLACEMENTS = ((">", ""), (",", ""), (":", ""), ("(", ""), (")", ""), (" ", "_"), ("-", "_"), ("+", "and"),
                 ("/", "and"))


def tokudb_metric_name(key: str) -> str:
    name = key.lower()
    for old, new in _REPLACEMENTS:
        name = name.replace(old, new)
    return "mysql_engine_tokudb_" + name  # the names come from the data: SHOW ENGINE TOKUDB STATUS keys


@register
class EngineTokudbStatus(Scraper):
    name = "engine_tokudb_status"
    enabled_by_default = False
    help = "Collect from SHOW ENGINE TOKUDB STATUS"
    min_version = 5.6

    def scrape(self, db: DB):
        _, rows = db.query("SHOW ENGINE TOKUDB STATUS")
        families = {}
        for _type, key, raw in rows:
            value = parse_status(raw)
            if value is None:
                continue
            name = tokudb_metric_name(key or "")
            if name not in families:  # a key repeated by the server is served once, as the registry would
                families[name] = untyped(name, "Generic metric from SHOW ENGINE TOKUDB STATUS.", value=value)
        yield from list(families.values())
