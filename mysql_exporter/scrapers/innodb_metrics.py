"""information_schema.innodb_metrics: every enabled InnoDB counter, named by subsystem, with the buffer pool
page and page I/O families mysqld_exporter labels."""

from __future__ import annotations

import re

from exporter_toolkit.families import counter, gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

# MySQL 8 has a `status` column, MariaDB and MySQL 5.x an `enabled` one.
COLUMN_QUERY = ("SELECT column_name FROM information_schema.columns WHERE table_schema = 'information_schema' "
                "AND table_name = 'INNODB_METRICS' AND column_name IN ('status', 'enabled') LIMIT 1")
QUERY = "SELECT name, subsystem, type, comment, count FROM information_schema.innodb_metrics WHERE {condition}"
BUFFER_PAGE = re.compile(r"^buffer_page_(read|written)_(.*)$")
BUFFER_POOL_PAGES = re.compile(r"^buffer_pool_pages_(.*)$")


@register
class InnodbMetrics(Scraper):
    name = "info_schema.innodb_metrics"
    enabled_by_default = False
    help = "Collect metrics from information_schema.innodb_metrics"
    min_version = 5.6

    def scrape(self, db: DB):
        query = db.cache.get("innodb_metrics_query")
        if query is None:  # once per connection: /probe targets may be MySQL 8 and MariaDB side by side
            column = (db.value(COLUMN_QUERY) or "enabled").lower()
            query = db.cache["innodb_metrics_query"] = QUERY.format(
                condition="status = 'enabled'" if column == "status" else "enabled")
        _, rows = db.query(query)
        page_read = counter("mysql_info_schema_innodb_metrics_buffer_page_read_total",
                            "Total number of buffer pages read total.", ["type"])
        page_written = counter("mysql_info_schema_innodb_metrics_buffer_page_written_total",
                               "Total number of buffer pages written total.", ["type"])
        pool_pages = gauge("mysql_info_schema_innodb_metrics_buffer_pool_pages",
                           "Total number of buffer pool pages by state.", ["state"])
        dirty_pages = gauge("mysql_info_schema_innodb_metrics_buffer_pool_dirty_pages",
                            "Total number of dirty pages in the buffer pool.")
        for name, subsystem, kind, comment, count_text in rows:
            value = float(count_text)
            if subsystem == "buffer_page_io":
                match = BUFFER_PAGE.match(name)
                if match:
                    (page_read if match.group(1) == "read" else page_written).add_metric([match.group(2)], value)
                continue
            if subsystem == "buffer":
                match = BUFFER_POOL_PAGES.match(name)
                if match:
                    state = match.group(1)
                    if state == "dirty":
                        dirty_pages.add_metric([], value)
                    elif state != "total":
                        pool_pages.add_metric([state], value)
                    continue
            metric = f"mysql_info_schema_innodb_metrics_{subsystem}_{name}"  # the names come from the table's rows
            if kind in ("counter", "status_counter"):
                yield counter(metric + "_total", comment or "", value=value)
            else:
                yield gauge(metric, comment or "", value=value)
        for family in (page_read, page_written, pool_pages, dirty_pages):
            if family.rows:
                yield family
