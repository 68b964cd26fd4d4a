"""SHOW GLOBAL STATUS: one generic family per variable, with the labelled families mysqld_exporter builds for
commands, handlers, connection errors, InnoDB buffer pool pages, InnoDB row operations and
performance_schema losses."""

from __future__ import annotations

import re

from exporter_toolkit.families import counter, gauge, untyped
from mysql_exporter.db import DB
from mysql_exporter.parse import metric_name, parse_status
from mysql_exporter.scraper import Scraper, register

GROUPED = re.compile(r"^(com|handler|connection_errors|innodb_buffer_pool_pages|innodb_rows|performance_schema)_(.*)$")
GENERIC_HELP = "Generic metric from SHOW GLOBAL STATUS."
BUFFER_POOL_STATES = ("data", "free", "misc", "old")


@register
class GlobalStatus(Scraper):
    name = "global_status"
    help = "Collect from SHOW GLOBAL STATUS"
    min_version = 5.1

    def scrape(self, db: DB):
        rows = db.name_values("SHOW GLOBAL STATUS", "GLOBAL_STATUS")
        commands = counter("mysql_global_status_commands_total", "Total number of executed MySQL commands.",
                           ["command"])
        handlers = counter("mysql_global_status_handlers_total", "Total number of executed MySQL handlers.",
                           ["handler"])
        connection_errors = counter("mysql_global_status_connection_errors_total",
                                    "Total number of MySQL connection errors.", ["error"])
        pages = gauge("mysql_global_status_buffer_pool_pages", "Innodb buffer pool pages by state.", ["state"])
        dirty = gauge("mysql_global_status_buffer_pool_dirty_pages", "Innodb buffer pool dirty pages.")
        page_changes = counter("mysql_global_status_buffer_pool_page_changes_total",
                               "Innodb buffer pool page state changes.", ["operation"])
        row_ops = counter("mysql_global_status_innodb_row_ops_total", "Total number of MySQL InnoDB row operations.",
                          ["operation"])
        ps_lost = counter("mysql_global_status_performance_schema_lost_total",
                          "Total number of MySQL instrumentations that could not be loaded or created due to memory "
                          "constraints.", ["instrumentation"])
        for name, text in rows:
            value = parse_status(text)
            if value is None:
                continue
            key = metric_name(name)
            match = GROUPED.match(key)
            if match is None:  # the names come from the data: the server's status variables
                yield untyped(f"mysql_global_status_{key}", GENERIC_HELP, value=value)
                continue
            group, rest = match.groups()
            if group == "com":
                commands.add_metric([rest], value)
            elif group == "handler":
                handlers.add_metric([rest], value)
            elif group == "connection_errors":
                connection_errors.add_metric([rest], value)
            elif group == "innodb_buffer_pool_pages":
                if rest in BUFFER_POOL_STATES:
                    pages.add_metric([rest], value)
                elif rest == "dirty":
                    dirty.add_metric([], value)
                elif rest != "total":
                    page_changes.add_metric([rest], value)
            elif group == "innodb_rows":
                row_ops.add_metric([rest], value)
            else:
                ps_lost.add_metric([rest], value)
        for family in (commands, handlers, connection_errors, pages, dirty, page_changes, row_ops, ps_lost):
            if family.rows:
                yield family
