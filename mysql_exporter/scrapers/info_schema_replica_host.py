"""information_schema.replica_host_status (Amazon Aurora): CPU, lag and replay latency of each instance."""

from __future__ import annotations

import mysql.connector

from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = ("SELECT SERVER_ID, IF(SESSION_ID = 'MASTER_SESSION_ID', 'writer', 'reader') AS ROLE, CPU, "
         "MASTER_SLAVE_LATENCY_IN_MICROSECONDS, REPLICA_LAG_IN_MILLISECONDS, LOG_STREAM_SPEED_IN_KiB_PER_SECOND, "
         "CURRENT_REPLAY_LATENCY_IN_MICROSECONDS FROM information_schema.replica_host_status")
UNKNOWN_TABLE = 1109
LABELS = ["server_id", "role"]


@register
class ReplicaHost(Scraper):
    name = "info_schema.replica_host"
    enabled_by_default = False
    help = "Collect metrics from information_schema.replica_host_status"
    min_version = 5.6

    def scrape(self, db: DB):
        try:
            _, rows = db.query(QUERY)
        except mysql.connector.Error as exc:
            if exc.errno == UNKNOWN_TABLE:  # not Aurora: nothing to report, as mysqld_exporter
                return
            raise
        cpu = gauge("mysql_info_schema_replica_host_cpu_percent", "The CPU usage as a percentage.", LABELS)
        latency = gauge("mysql_info_schema_replica_host_replica_latency_seconds",
                        "The source-replica latency in seconds.", LABELS)
        lag = gauge("mysql_info_schema_replica_host_lag_seconds", "The replica lag in seconds.", LABELS)
        speed = gauge("mysql_info_schema_replica_host_log_stream_speed",
                      "The log stream speed in kilobytes per second.", LABELS)
        replay = gauge("mysql_info_schema_replica_host_replay_latency_seconds",
                       "The current replay latency in seconds.", LABELS)
        for server_id, role, cpu_value, latency_us, lag_ms, speed_kib, replay_us in rows:
            key = (server_id, role)
            cpu.add_metric(key, float(cpu_value or 0))
            latency.add_metric(key, float(latency_us or 0) * 1e-6)
            lag.add_metric(key, float(lag_ms or 0) * 1e-3)
            speed.add_metric(key, float(speed_kib or 0))
            replay.add_metric(key, float(replay_us or 0) * 1e-6)
        if rows:
            yield from [cpu, latency, lag, speed, replay]
