"""information_schema.query_response_time (Percona/MariaDB plugin): histograms of query durations, when
query_response_time_stats is on. Without the plugin there is nothing to report and that is not an error."""

from __future__ import annotations

import time

from prometheus_client.core import HistogramMetricFamily

from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

# Without the plugin, ask again this often (seconds): it can be installed while the connection lives.
RECHECK_ABSENT = 300.0
TABLES = (
    ("QUERY_RESPONSE_TIME", "mysql_info_schema_query_response_time_seconds",
     "The number of all queries by duration they took to execute."),
    ("QUERY_RESPONSE_TIME_READ", "mysql_info_schema_read_query_response_time_seconds",
     "The number of read queries by duration they took to execute."),
    ("QUERY_RESPONSE_TIME_WRITE", "mysql_info_schema_write_query_response_time_seconds",
     "The number of write queries by duration they took to execute."),
)


@register
class QueryResponseTime(Scraper):
    name = "info_schema.query_response_time"
    help = "Collect query response time distribution if query_response_time_stats is ON."
    min_version = 5.5

    def scrape(self, db: DB):
        absent_until = db.cache.get("query_response_time_absent_until", 0.0)
        if time.monotonic() < absent_until:
            return
        try:
            enabled = db.value("SELECT @@query_response_time_stats")
        except Exception:  # unknown variable: the plugin is not installed
            db.cache["query_response_time_absent_until"] = time.monotonic() + RECHECK_ABSENT
            return
        if enabled in (None, "0", "OFF"):
            return
        for table, name, help_text in TABLES:
            try:
                _, rows = db.query(f"SELECT TIME, COUNT, TOTAL FROM information_schema.{table}")
            except Exception:  # READ/WRITE tables exist only in some builds of the plugin
                continue
            count, total, buckets = 0, 0.0, []
            for length_text, count_text, total_text in rows:
                count += int(count_text)
                total += float(total_text)
                try:
                    length = float(length_text.strip())
                except ValueError:  # the "TOO LONG" row counts, but is no bucket
                    continue
                if length:
                    buckets.append((repr(length), count))
            buckets.append(("+Inf", count))
            yield HistogramMetricFamily(name, help_text, buckets=buckets, sum_value=total)
