"""information_schema.user_statistics / client_statistics (userstat=1): one family per column, labelled by
the row's first column, with mysqld_exporter's names and types; unknown columns are served untyped."""

from __future__ import annotations

from exporter_toolkit.families import Family, counter, gauge, raw_counter, untyped
from mysql_exporter.db import DB

# Column -> (family builder, name, HELP). Builders keep mysqld_exporter's exact names: `raw_counter` for its
# counters named without `_total`.
Columns = dict[str, tuple]


def scrape_statistics(db: DB, query: str, label: str, columns: Columns, unknown_prefix: str) -> list[Family]:
    names, rows = db.query(query)
    families: dict[str, Family] = {}
    for column in names[1:]:
        known = columns.get(column)
        if known is None:  # a column this server adds: the name comes from the data
            families[column] = untyped(unknown_prefix + column.lower(), f"Unsupported metric from column {column}",
                                       [label])
        else:
            build, name, help_text = known
            families[column] = build(name, help_text, [label])
    for row in rows:
        key = [row[0] or ""]
        for column, raw in zip(names[1:], row[1:], strict=True):
            families[column].add_metric(key, float(raw or 0))
    return list(families.values()) if rows else []


__all__ = ["Columns", "counter", "gauge", "raw_counter", "scrape_statistics"]
