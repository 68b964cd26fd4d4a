"""performance_schema.replication_group_members (MySQL Group Replication): one info series per member, every
column of the table as a label."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = "SELECT * FROM performance_schema.replication_group_members"
HELP = ("Information about the replication group member: channel_name, member_id, member_host, member_port, "
        "member_state. (member_role and member_version where available)")


@register
class ReplicationGroupMembers(Scraper):
    name = "perf_schema.replication_group_members"
    enabled_by_default = False
    help = "Collect metrics from performance_schema.replication_group_members"
    min_version = 5.7

    def scrape(self, db: DB):
        columns, rows = db.query(QUERY)
        if not rows:
            return
        family = gauge("mysql_perf_schema_replication_group_member_info", HELP, [c.lower() for c in columns])
        for row in rows:
            family.add_metric(tuple(value or "" for value in row), 1.0)
        yield from [family]
