"""information_schema.table_statistics summed per schema (userstat=1)."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.collector import register
from mysql_exporter.collectors._userstat import table_statistics, userstat_enabled
from mysql_exporter.db import DB

QUERY = ("SELECT TABLE_SCHEMA, SUM(ROWS_READ), SUM(ROWS_CHANGED), SUM(ROWS_CHANGED_X_INDEXES) "
         "FROM information_schema.table_statistics GROUP BY TABLE_SCHEMA")


@register("info_schema.schemastats", default=False,
          help="If running with userstat=1, set to true to collect schema statistics")
class SchemaStats:
    min_version = 5.1

    def __init__(self, options) -> None:
        pass

    def scrape(self, db: DB):
        if not userstat_enabled(db):
            return []
        _, rows = db.query(QUERY)
        read = counter("mysql_info_schema_schema_statistics_rows_read_total",
                       "The number of rows read from the schema.", ["schema"])
        changed = counter("mysql_info_schema_schema_statistics_rows_changed_total",
                          "The number of rows changed in the schema.", ["schema"])
        changed_x = counter("mysql_info_schema_schema_statistics_rows_changed_x_indexes_total",
                            "The number of rows changed in the schema, multiplied by the number of indexes changed.",
                            ["schema"])
        return table_statistics(rows, read, changed, changed_x)
