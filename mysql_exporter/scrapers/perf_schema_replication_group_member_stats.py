"""performance_schema.replication_group_member_stats (MySQL Group Replication): this member's certification
and applier queues."""

from __future__ import annotations

from exporter_toolkit.families import counter, gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = "SELECT * FROM performance_schema.replication_group_member_stats WHERE MEMBER_ID=@@server_uuid"
# MySQL 5.7 has the first four columns, 8.0 all of them.
COLUMNS = {
    "COUNT_TRANSACTIONS_IN_QUEUE": (gauge, "mysql_perf_schema_transactions_in_queue",
                                    "The number of transactions in the queue pending conflict detection checks."),
    "COUNT_TRANSACTIONS_CHECKED": (counter, "mysql_perf_schema_transactions_checked_total",
                                   "The number of transactions that have been checked for conflicts."),
    "COUNT_CONFLICTS_DETECTED": (counter, "mysql_perf_schema_conflicts_detected_total",
                                 "The number of transactions that have not passed the conflict detection check."),
    "COUNT_TRANSACTIONS_ROWS_VALIDATING": (counter, "mysql_perf_schema_transactions_rows_validating_total",
                                           "Number of transaction rows which can be used for certification, but have "
                                           "not been garbage collected."),
    "COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE": (gauge, "mysql_perf_schema_transactions_remote_in_applier_queue",
                                                   "The number of transactions that this member has received from the "
                                                   "replication group which are waiting to be applied."),
    "COUNT_TRANSACTIONS_REMOTE_APPLIED": (counter, "mysql_perf_schema_transactions_remote_applied_total",
                                          "Number of transactions this member has received from the group and "
                                          "applied."),
    "COUNT_TRANSACTIONS_LOCAL_PROPOSED": (counter, "mysql_perf_schema_transactions_local_proposed_total",
                                          "Number of transactions which originated on this member and were sent to "
                                          "the group."),
    "COUNT_TRANSACTIONS_LOCAL_ROLLBACK": (counter, "mysql_perf_schema_transactions_local_rollback_total",
                                          "Number of transactions which originated on this member and were rolled "
                                          "back by the group."),
}


@register
class ReplicationGroupMemberStats(Scraper):
    name = "perf_schema.replication_group_member_stats"
    enabled_by_default = False
    help = "Collect metrics from performance_schema.replication_group_member_stats"
    min_version = 5.7

    def scrape(self, db: DB):
        columns, rows = db.query(QUERY)
        families = []
        for row in rows[:1]:  # WHERE MEMBER_ID = this server: one row
            for column, raw in zip(columns, row, strict=True):
                known = COLUMNS.get(column)
                if known is not None:
                    build, name, help_text = known
                    families.append(build(name, help_text, value=float(raw)))
        yield from families
