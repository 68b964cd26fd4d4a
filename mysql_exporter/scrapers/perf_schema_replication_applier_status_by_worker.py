"""performance_schema.replication_applier_status_by_worker (MySQL 8): when each applier worker's last and
current transactions were committed and applied, as Unix timestamps (0 when there is none)."""

from __future__ import annotations

import calendar
from datetime import datetime

from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = ("SELECT CHANNEL_NAME, WORKER_ID, LAST_APPLIED_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP, "
         "LAST_APPLIED_TRANSACTION_IMMEDIATE_COMMIT_TIMESTAMP, LAST_APPLIED_TRANSACTION_START_APPLY_TIMESTAMP, "
         "LAST_APPLIED_TRANSACTION_END_APPLY_TIMESTAMP, APPLYING_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP, "
         "APPLYING_TRANSACTION_IMMEDIATE_COMMIT_TIMESTAMP, APPLYING_TRANSACTION_START_APPLY_TIMESTAMP "
         "FROM performance_schema.replication_applier_status_by_worker")
LABELS = ["channel_name", "member_id"]
FAMILIES = (
    ("mysql_perf_schema_last_applied_transaction_original_commit_timestamp_seconds",
     "A timestamp shows when the last transaction applied by this worker was committed on the original master."),
    ("mysql_perf_schema_last_applied_transaction_immediate_commit_timestamp_seconds",
     "A timestamp shows when the last transaction applied by this worker was committed on the immediate master"),
    ("mysql_perf_schema_last_applied_transaction_start_apply_timestamp_seconds",
     "A timestamp shows when this worker started applying the last applied transaction"),
    ("mysql_perf_schema_last_applied_transaction_end_apply_timestamp_seconds",
     "A shows when this worker finished applying the last applied transaction"),
    ("mysql_perf_schema_applying_transaction_original_commit_timestamp_seconds",
     "A timestamp that shows when the transaction this worker is currently applying was committed on the original "
     "master"),
    ("mysql_perf_schema_applying_transaction_immediate_commit_timestamp_seconds",
     "A timestamp shows when the transaction this worker is currently applying was committed on the immediate master"),
    ("mysql_perf_schema_applying_transaction_start_apply_timestamp_seconds",
     "A timestamp shows when this worker started its first attempt to apply the transaction that is currently being "
     "applied"),
)


def timestamp_seconds(text: str | None) -> float:
    """'2026-11-26 21:33:02.455570' (UTC, as the server reports it) -> Unix seconds; the zero date -> 0."""
    try:
        parsed = datetime.strptime(text or "", "%Y-%m-%d %H:%M:%S.%f")
    except ValueError:
        return 0.0
    return calendar.timegm(parsed.timetuple()) + parsed.microsecond / 1e6


@register
class ReplicationApplierStatusByWorker(Scraper):
    name = "perf_schema.replication_applier_status_by_worker"
    enabled_by_default = False
    help = "Collect metrics from performance_schema.replication_applier_status_by_worker"
    min_version = 5.7

    def scrape(self, db: DB):
        _, rows = db.query(QUERY)
        families = [gauge(name, help_text, LABELS) for name, help_text in FAMILIES]
        for channel, worker, *stamps in rows:
            key = (channel or "", worker or "")
            for family, stamp in zip(families, stamps, strict=True):
                family.add_metric(key, timestamp_seconds(stamp))
        if rows:
            yield from families
