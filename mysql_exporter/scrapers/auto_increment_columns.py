"""information_schema: every auto_increment column's next value and the largest value its type can hold,
to alert before inserts start failing."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

# mysqld_exporter joins information_schema.columns to tables, which makes the server open every table and view
# of every schema (55 ms on an almost empty MariaDB, the slowest scraper by far). In two steps instead: the
# tables with an AUTO_INCREMENT value, then the columns of just those tables, looked up by schema and name
# (which the server answers without scanning): same rows, a fifth of the time.
TABLES_QUERY = ("SELECT TABLE_SCHEMA, TABLE_NAME, AUTO_INCREMENT FROM information_schema.tables "
                "WHERE AUTO_INCREMENT IS NOT NULL")
COLUMNS_QUERY = ("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE FROM information_schema.columns "
                 "WHERE EXTRA = 'auto_increment' AND ({tables})")
BATCH = 200  # tables per columns query
SIGNED_BITS = {"tinyint": 7, "smallint": 15, "mediumint": 23, "int": 31, "bigint": 63}
LABELS = ["schema", "table", "column"]


def max_value(data_type: str | None, column_type: str | None) -> float | None:
    """The type's largest value as mysqld_exporter computes it: 2^(bits + unsigned) - 1 (None for other types)."""
    bits = SIGNED_BITS.get((data_type or "").lower())
    if bits is None:
        return None
    unsigned = (column_type or "").lower().endswith(" unsigned")
    return float(2 ** (bits + unsigned) - 1)


@register
class AutoIncrementColumns(Scraper):
    name = "auto_increment.columns"
    enabled_by_default = False
    help = "Collect auto_increment columns and max values from information_schema"
    min_version = 5.1

    def scrape(self, db: DB):
        _, tables = db.query(TABLES_QUERY)
        next_values = {(schema, table): value for schema, table, value in tables}
        keys = list(next_values)
        current = gauge("mysql_info_schema_auto_increment_column",
                        "The current value of an auto_increment column from information_schema.", LABELS)
        maximum = gauge("mysql_info_schema_auto_increment_column_max",
                        "The max value of an auto_increment column from information_schema.", LABELS)
        for start in range(0, len(keys), BATCH):
            batch = keys[start:start + BATCH]
            condition = " OR ".join(["(TABLE_SCHEMA = %s AND TABLE_NAME = %s)"] * len(batch))
            _, rows = db.query(COLUMNS_QUERY.format(tables=condition), tuple(part for key in batch for part in key))
            for schema, table, column, data_type, column_type in rows:
                next_value = next_values.get((schema, table))
                if next_value is None:  # dropped and recreated between the two queries
                    continue
                label_values = (schema, table, column)
                current.add_metric(label_values, float(next_value))
                limit = max_value(data_type, column_type)
                if limit is not None:
                    maximum.add_metric(label_values, limit)
        if current.rows:
            yield from [current, maximum]
