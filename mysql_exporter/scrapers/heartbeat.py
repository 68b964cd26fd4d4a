"""The pt-heartbeat table: the timestamp each server last wrote and the server's own clock read in the same
statement, so that replication delay is now - stored."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from exporter_toolkit.collectors import Option
from exporter_toolkit.errors import ConfigError
from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = "SELECT UNIX_TIMESTAMP(ts), UNIX_TIMESTAMP({now}), server_id FROM `{database}`.`{table}`"
_IDENTIFIER = re.compile(r"^[^`\x00]+$")


@register
class Heartbeat(Scraper):
    name = "heartbeat"
    enabled_by_default = False
    help = "Collect from heartbeat"
    DATABASE = Option("--collect.heartbeat.database", "heartbeat_database", "heartbeat",
                      help="Database from where to collect heartbeat data")
    TABLE = Option("--collect.heartbeat.table", "heartbeat_table", "heartbeat",
                   help="Table from where to collect heartbeat data")
    UTC = Option("--collect.heartbeat.utc", "heartbeat_utc", False,
                 help="Use UTC for timestamps of the current server (`pt-heartbeat` is called with `--utc`)",
                 is_flag=True)

    min_version = 5.1

    def __init__(self, options: Mapping[str, Any]) -> None:
        database = self.DATABASE.read(options)
        table = self.TABLE.read(options)
        for flag, name in (("--collect.heartbeat.database", database), ("--collect.heartbeat.table", table)):
            if not _IDENTIFIER.match(name):
                raise ConfigError(f"invalid {flag} {name!r}: backquotes are not allowed")
        now = "UTC_TIMESTAMP(6)" if self.UTC.read(options) else "NOW(6)"
        self.query = QUERY.format(now=now, database=database, table=table)

    def scrape(self, db: DB):
        _, rows = db.query(self.query)
        now = gauge("mysql_heartbeat_now_timestamp_seconds", "Timestamp of the current server.", ["server_id"])
        stored = gauge("mysql_heartbeat_stored_timestamp_seconds", "Timestamp stored in the heartbeat table.",
                       ["server_id"])
        for stored_ts, now_ts, server_id in rows:
            now.add_metric((server_id,), float(now_ts))
            stored.add_metric((server_id,), float(stored_ts))
        if rows:
            yield from [now, stored]
