"""performance_schema.table_io_waits_summary_by_table: I/O wait events and their time per table and operation."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = ("SELECT OBJECT_SCHEMA, OBJECT_NAME, COUNT_FETCH, COUNT_INSERT, COUNT_UPDATE, COUNT_DELETE, "
         "SUM_TIMER_FETCH, SUM_TIMER_INSERT, SUM_TIMER_UPDATE, SUM_TIMER_DELETE "
         "FROM performance_schema.table_io_waits_summary_by_table "
         "WHERE OBJECT_SCHEMA NOT IN ('mysql', 'performance_schema')")
OPERATIONS = ("fetch", "insert", "update", "delete")
PICOSECONDS = 1e-12


@register
class TableIOWaits(Scraper):
    name = "perf_schema.tableiowaits"
    enabled_by_default = False
    help = "Collect metrics from performance_schema.table_io_waits_summary_by_table"
    min_version = 5.6

    def scrape(self, db: DB):
        _, rows = db.query(QUERY)
        waits = counter("mysql_perf_schema_table_io_waits_total",
                        "The total number of table I/O wait events for each table and operation.",
                        ["schema", "name", "operation"])
        seconds = counter("mysql_perf_schema_table_io_waits_seconds_total",
                          "The total time of table I/O wait events for each table and operation.",
                          ["schema", "name", "operation"])
        for schema, name, *values in rows:
            for operation, count_text, timer_text in zip(OPERATIONS, values[:4], values[4:], strict=True):
                waits.add_metric([schema, name, operation], float(count_text))
                seconds.add_metric([schema, name, operation], float(timer_text) * PICOSECONDS)
        if waits.rows:
            yield waits
            yield seconds
