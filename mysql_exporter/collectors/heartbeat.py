"""The pt-heartbeat table: the timestamp each server last wrote and the server's own clock read in the same
statement, so that replication delay is now - stored."""

from __future__ import annotations

import re

import click

from exporter_toolkit.errors import ConfigError
from exporter_toolkit.families import gauge
from mysql_exporter.collector import register
from mysql_exporter.db import DB

QUERY = "SELECT UNIX_TIMESTAMP(ts), UNIX_TIMESTAMP({now}), server_id FROM `{database}`.`{table}`"
_IDENTIFIER = re.compile(r"^[^`\x00]+$")


@register("heartbeat", default=False, help="Collect from heartbeat", options=[
    click.option("--collect.heartbeat.database", "heartbeat_database", default="heartbeat", show_default=True,
                 help="Database from where to collect heartbeat data"),
    click.option("--collect.heartbeat.table", "heartbeat_table", default="heartbeat", show_default=True,
                 help="Table from where to collect heartbeat data"),
    click.option("--collect.heartbeat.utc", "heartbeat_utc", is_flag=True,
                 help="Use UTC for timestamps of the current server (`pt-heartbeat` is called with `--utc`)"),
])
class Heartbeat:
    min_version = 5.1

    def __init__(self, options) -> None:
        database = options.get("heartbeat_database") or "heartbeat"
        table = options.get("heartbeat_table") or "heartbeat"
        for flag, name in (("--collect.heartbeat.database", database), ("--collect.heartbeat.table", table)):
            if not _IDENTIFIER.match(name):
                raise ConfigError(f"invalid {flag} {name!r}: backquotes are not allowed")
        now = "UTC_TIMESTAMP(6)" if options.get("heartbeat_utc") else "NOW(6)"
        self.query = QUERY.format(now=now, database=database, table=table)

    def scrape(self, db: DB):
        _, rows = db.query(self.query)
        now = gauge("mysql_heartbeat_now_timestamp_seconds", "Timestamp of the current server.", ["server_id"])
        stored = gauge("mysql_heartbeat_stored_timestamp_seconds", "Timestamp stored in the heartbeat table.",
                       ["server_id"])
        for stored_ts, now_ts, server_id in rows:
            now.add_metric((server_id,), float(now_ts))
            stored.add_metric((server_id,), float(stored_ts))
        return [now, stored] if rows else []
