"""performance_schema.table_io_waits_summary_by_index_usage: I/O wait events and their time per index and
operation; rows without an index (index "NONE") also carry inserts, as in mysqld_exporter."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = ("SELECT OBJECT_SCHEMA, OBJECT_NAME, IFNULL(INDEX_NAME, 'NONE'), COUNT_FETCH, COUNT_INSERT, COUNT_UPDATE, "
         "COUNT_DELETE, SUM_TIMER_FETCH, SUM_TIMER_INSERT, SUM_TIMER_UPDATE, SUM_TIMER_DELETE "
         "FROM performance_schema.table_io_waits_summary_by_index_usage "
         "WHERE OBJECT_SCHEMA NOT IN ('mysql', 'performance_schema')")
PICOSECONDS = 1e-12
LABELS = ["schema", "name", "index", "operation"]


@register
class IndexIOWaits(Scraper):
    name = "perf_schema.indexiowaits"
    enabled_by_default = False
    help = "Collect metrics from performance_schema.table_io_waits_summary_by_index_usage"
    min_version = 5.6

    def scrape(self, db: DB):
        _, rows = db.query(QUERY)
        waits = counter("mysql_perf_schema_index_io_waits_total",
                        "The total number of index I/O wait events for each index and operation.", LABELS)
        seconds = counter("mysql_perf_schema_index_io_waits_seconds_total",
                          "The total time of index I/O wait events for each index and operation.", LABELS)
        for schema, name, index, fetch, insert, update, delete, t_fetch, t_insert, t_update, t_delete in rows:
            operations = [("fetch", fetch, t_fetch), ("update", update, t_update), ("delete", delete, t_delete)]
            if index == "NONE":
                operations.append(("insert", insert, t_insert))
            for operation, count_text, timer_text in operations:
                key = (schema, name, index, operation)
                waits.add_metric(key, float(count_text))
                seconds.add_metric(key, float(timer_text) * PICOSECONDS)
        if rows:
            yield from [waits, seconds]
