"""SHOW SLAVE HOSTS on a primary: one info series per registered replica (replicas started with
--report-host)."""

from __future__ import annotations

import uuid

from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

# mysqld_exporter files it under the heartbeat subsystem; the name is kept as dashboards know it.
NAME = "mysql_heartbeat_mysql_slave_hosts_info"
LABELS = ["server_id", "slave_host", "port", "master_id", "slave_uuid"]


def _is_uuid(text: str | None) -> bool:
    try:
        uuid.UUID(text or "")
    except ValueError:
        return False
    return True


@register
class SlaveHosts(Scraper):
    name = "slave_hosts"
    enabled_by_default = False
    help = "Scrape information from 'SHOW SLAVE HOSTS'"
    min_version = 5.1

    def scrape(self, db: DB):
        _, rows = db.query("SHOW SLAVE HOSTS")
        family = gauge(NAME, "Information about running slaves", LABELS)
        for row in rows:
            server_id, host, port = row[0], row[1], row[2]
            # MySQL 5.5+: Server_id, Host, Port, Master_id, Slave_UUID; older MySQL: ..., Rpl_recovery_rank,
            # Master_id; MariaDB: Server_id, Host, Port, Master_id (no UUID column at all).
            if len(row) >= 5 and _is_uuid(row[4]):
                master_id, slave_uuid = row[3], row[4]
            elif len(row) >= 5:
                master_id, slave_uuid = row[4], ""
            else:
                master_id, slave_uuid = row[3] if len(row) > 3 else "", ""
            family.add_metric((server_id or "", host or "", port or "", master_id or "", slave_uuid or ""), 1.0)
        if rows:
            yield from [family]
