"""SHOW BINARY LOGS: the binlog files' combined size, their number and the last file's sequence number."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register


@register
class BinlogSize(Scraper):
    name = "binlog_size"
    enabled_by_default = False
    help = "Collect the current size of all registered binlog files"
    min_version = 5.1

    def scrape(self, db: DB):
        if db.value("SELECT @@log_bin") in ("0", "OFF", None):
            return
        _, rows = db.query("SHOW BINARY LOGS")
        total = sum(float(row[1]) for row in rows)
        yield gauge("mysql_binlog_size_bytes", "Combined size of all registered binlog files.", value=total)
        yield gauge("mysql_binlog_files", "Number of registered binlog files.", value=float(len(rows)))
        if rows:
            last = rows[-1][0]
            suffix = last.rpartition(".")[2]
            number = float(int(suffix)) if suffix.isdigit() else 0.0
            yield gauge("mysql_binlog_file_number", "The last binlog file number.", value=number)
