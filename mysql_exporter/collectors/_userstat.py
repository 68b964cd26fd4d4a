"""What the userstat scrapers (Percona / MariaDB `userstat=1`) share: whether statistics are being gathered."""

from __future__ import annotations

from mysql_exporter.db import DB

USERSTAT_CHECK = "SHOW GLOBAL VARIABLES WHERE Variable_Name='userstat' OR Variable_Name='userstat_running'"


def userstat_enabled(db: DB) -> bool:
    """As mysqld_exporter: no such variable or OFF means nothing to report, which is not an error."""
    try:
        _, rows = db.query(USERSTAT_CHECK)
    except Exception:  # a server without the variable has no statistics tables either
        return False
    return bool(rows) and rows[0][1] != "OFF"
