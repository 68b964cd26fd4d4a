"""information_schema.table_statistics (userstat=1): rows read and changed per table."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register
from mysql_exporter.scrapers._userstat import table_statistics, userstat_enabled

QUERY = ("SELECT TABLE_SCHEMA, TABLE_NAME, ROWS_READ, ROWS_CHANGED, ROWS_CHANGED_X_INDEXES "
         "FROM information_schema.table_statistics")


@register
class TableStats(Scraper):
    name = "info_schema.tablestats"
    enabled_by_default = False
    help = "If running with userstat=1, set to true to collect table statistics"
    min_version = 5.1

    def scrape(self, db: DB):
        if not userstat_enabled(db):
            return
        _, rows = db.query(QUERY)
        labels = ["schema", "table"]
        read = counter("mysql_info_schema_table_statistics_rows_read_total", "The number of rows read from the table.",
                       labels)
        changed = counter("mysql_info_schema_table_statistics_rows_changed_total",
                          "The number of rows changed in the table.", labels)
        changed_x = counter("mysql_info_schema_table_statistics_rows_changed_x_indexes_total",
                            "The number of rows changed in the table, multiplied by the number of indexes changed.",
                            labels)
        yield from table_statistics(rows, read, changed, changed_x)
