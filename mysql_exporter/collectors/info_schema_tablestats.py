"""information_schema.table_statistics (userstat=1): rows read and changed per table."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.collector import register
from mysql_exporter.collectors._userstat import table_statistics, userstat_enabled
from mysql_exporter.db import DB

QUERY = ("SELECT TABLE_SCHEMA, TABLE_NAME, ROWS_READ, ROWS_CHANGED, ROWS_CHANGED_X_INDEXES "
         "FROM information_schema.table_statistics")


@register("info_schema.tablestats", default=False,
          help="If running with userstat=1, set to true to collect table statistics")
class TableStats:
    min_version = 5.1

    def __init__(self, options) -> None:
        pass

    def scrape(self, db: DB):
        if not userstat_enabled(db):
            return []
        _, rows = db.query(QUERY)
        labels = ["schema", "table"]
        read = counter("mysql_info_schema_table_statistics_rows_read_total", "The number of rows read from the table.",
                       labels)
        changed = counter("mysql_info_schema_table_statistics_rows_changed_total",
                          "The number of rows changed in the table.", labels)
        changed_x = counter("mysql_info_schema_table_statistics_rows_changed_x_indexes_total",
                            "The number of rows changed in the table, multiplied by the number of indexes changed.",
                            labels)
        return table_statistics(rows, read, changed, changed_x)
