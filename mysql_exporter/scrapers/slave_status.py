"""SHOW SLAVE STATUS (all channels on MariaDB): every numeric column as mysql_slave_status_<column>."""

from __future__ import annotations

from exporter_toolkit.families import untyped
from mysql_exporter.db import DB
from mysql_exporter.parse import parse_status
from mysql_exporter.scraper import Scraper, register

# MariaDB's multi-source form first; the lock-free variants where the server has them.
QUERIES = ("SHOW ALL SLAVES STATUS", "SHOW SLAVE STATUS")
SUFFIXES = (" NONBLOCKING", " NOLOCK", "")
LABELS = ["master_host", "master_uuid", "channel_name", "connection_name"]


def query_slave_status(db: DB):
    """The first form the server understands, remembered for the connection (each refused form costs a round
    trip and an error on every scrape otherwise)."""
    known = db.cache.get("slave_status_query")
    if known is not None:
        return db.query(known)
    last_error: Exception | None = None
    for query in QUERIES:
        for suffix in SUFFIXES:
            try:
                result = db.query(query + suffix)
            except Exception as exc:  # syntax the server does not know: try the next form
                if getattr(exc, "errno", None) not in (1064, 1149):  # a real error (privileges, connection)
                    raise
                last_error = exc
                continue
            db.cache["slave_status_query"] = query + suffix
            return result
    raise last_error  # type: ignore[misc]


@register
class SlaveStatus(Scraper):
    name = "slave_status"
    help = "Collect from SHOW SLAVE STATUS"
    min_version = 5.1

    def scrape(self, db: DB):
        columns, rows = query_slave_status(db)
        families: dict[str, object] = {}
        lower = [column.lower() for column in columns]
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            labels = [values.get("Master_Host") or "", values.get("Master_UUID") or "",
                      values.get("Channel_Name") or "", values.get("Connection_name") or ""]
            for column, raw in zip(lower, row, strict=True):
                value = parse_status(raw)
                if value is None:
                    continue
                family = families.get(column)
                if family is None:  # the names come from the data: the server's columns
                    family = families[column] = untyped(f"mysql_slave_status_{column}",
                                                        "Generic metric from SHOW SLAVE STATUS.", LABELS)
                family.add_metric(labels, value)
        yield from families.values()
