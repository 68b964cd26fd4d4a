"""performance_schema.table_lock_waits_summary_by_table: SQL and external lock waits and their time per table
and lock type."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

SQL_LOCKS = ("read_normal", "read_with_shared_locks", "read_high_priority", "read_no_insert", "write_normal",
             "write_allow_write", "write_concurrent_insert", "write_low_priority")
EXTERNAL_LOCKS = ("read", "write")
_COLUMNS = [f"COUNT_{lock.upper()}" for lock in SQL_LOCKS] + [f"COUNT_{lock.upper()}_EXTERNAL" for lock in
                                                              EXTERNAL_LOCKS]
_TIMERS = [f"SUM_TIMER_{lock.upper()}" for lock in SQL_LOCKS] + [f"SUM_TIMER_{lock.upper()}_EXTERNAL" for lock in
                                                                 EXTERNAL_LOCKS]
QUERY = (f"SELECT OBJECT_SCHEMA, OBJECT_NAME, {', '.join(_COLUMNS)}, {', '.join(_TIMERS)} "
         "FROM performance_schema.table_lock_waits_summary_by_table "
         "WHERE OBJECT_SCHEMA NOT IN ('mysql', 'performance_schema', 'information_schema')")
PICOSECONDS = 1e-12
LABELS = ["schema", "name", "operation"]


@register
class TableLocks(Scraper):
    name = "perf_schema.tablelocks"
    enabled_by_default = False
    help = "Collect metrics from performance_schema.table_lock_waits_summary_by_table"
    min_version = 5.6

    def scrape(self, db: DB):
        _, rows = db.query(QUERY)
        sql_waits = counter("mysql_perf_schema_sql_lock_waits_total",
                            "The total number of SQL lock wait events for each table and operation.", LABELS)
        sql_seconds = counter("mysql_perf_schema_sql_lock_waits_seconds_total",
                              "The total time of SQL lock wait events for each table and operation.", LABELS)
        external_waits = counter("mysql_perf_schema_external_lock_waits_total",
                                 "The total number of external lock wait events for each table and operation.", LABELS)
        external_seconds = counter("mysql_perf_schema_external_lock_waits_seconds_total",
                                   "The total time of external lock wait events for each table and operation.", LABELS)
        locks = len(SQL_LOCKS) + len(EXTERNAL_LOCKS)
        for schema, name, *values in rows:
            counts, timers = values[:locks], values[locks:]
            for index, lock in enumerate(SQL_LOCKS):
                sql_waits.add_metric((schema, name, lock), float(counts[index]))
                sql_seconds.add_metric((schema, name, lock), float(timers[index]) * PICOSECONDS)
            for offset, lock in enumerate(EXTERNAL_LOCKS, start=len(SQL_LOCKS)):
                external_waits.add_metric((schema, name, lock), float(counts[offset]))
                external_seconds.add_metric((schema, name, lock), float(timers[offset]) * PICOSECONDS)
        if rows:
            yield from [sql_waits, sql_seconds, external_waits, external_seconds]
