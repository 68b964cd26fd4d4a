"""information_schema.table_statistics summed per schema (userstat=1)."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register
from mysql_exporter.scrapers._userstat import table_statistics, userstat_enabled

QUERY = ("SELECT TABLE_SCHEMA, SUM(ROWS_READ), SUM(ROWS_CHANGED), SUM(ROWS_CHANGED_X_INDEXES) "
         "FROM information_schema.table_statistics GROUP BY TABLE_SCHEMA")


@register
class SchemaStats(Scraper):
    name = "info_schema.schemastats"
    enabled_by_default = False
    help = "If running with userstat=1, set to true to collect schema statistics"
    min_version = 5.1

    def scrape(self, db: DB):
        if not userstat_enabled(db):
            return
        _, rows = db.query(QUERY)
        read = counter("mysql_info_schema_schema_statistics_rows_read_total",
                       "The number of rows read from the schema.", ["schema"])
        changed = counter("mysql_info_schema_schema_statistics_rows_changed_total",
                          "The number of rows changed in the schema.", ["schema"])
        changed_x = counter("mysql_info_schema_schema_statistics_rows_changed_x_indexes_total",
                            "The number of rows changed in the schema, multiplied by the number of indexes changed.",
                            ["schema"])
        yield from table_statistics(rows, read, changed, changed_x)
