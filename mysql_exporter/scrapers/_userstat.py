"""What the userstat scrapers (Percona / MariaDB `userstat=1`) share: whether statistics are being gathered, and
the three row counters of information_schema.table_statistics (per table, or summed per schema)."""

from __future__ import annotations

from exporter_toolkit.families import Family
from mysql_exporter.db import DB

USERSTAT_CHECK = "SHOW GLOBAL VARIABLES WHERE Variable_Name='userstat' OR Variable_Name='userstat_running'"


def userstat_enabled(db: DB) -> bool:
    """As mysqld_exporter: no such variable or OFF means nothing to report, which is not an error."""
    try:
        _, rows = db.query(USERSTAT_CHECK)
    except Exception:  # a server without the variable has no statistics tables either
        return False
    return bool(rows) and rows[0][1] != "OFF"


def table_statistics(rows: list[tuple], read: Family, changed: Family, changed_x: Family) -> list[Family]:
    """Rows ending in ROWS_READ, ROWS_CHANGED, ROWS_CHANGED_X_INDEXES, labelled by the columns before them;
    no family at all when there is no row."""
    for *key, rows_read, rows_changed, rows_changed_x in rows:
        read.add_metric(tuple(key), float(rows_read))
        changed.add_metric(tuple(key), float(rows_changed))
        changed_x.add_metric(tuple(key), float(rows_changed_x))
    return [read, changed, changed_x] if rows else []
