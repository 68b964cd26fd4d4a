"""performance_schema.events_statements_summary_by_digest: the slowest statement digests seen recently."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = """
SELECT IFNULL(SCHEMA_NAME, 'NONE'), DIGEST, LEFT(DIGEST_TEXT, {text_limit}), COUNT_STAR, SUM_TIMER_WAIT, SUM_ERRORS,
       SUM_WARNINGS, SUM_ROWS_AFFECTED, SUM_ROWS_SENT, SUM_ROWS_EXAMINED, SUM_CREATED_TMP_DISK_TABLES,
       SUM_CREATED_TMP_TABLES, SUM_SORT_MERGE_PASSES, SUM_SORT_ROWS, SUM_NO_INDEX_USED
  FROM (SELECT * FROM performance_schema.events_statements_summary_by_digest
         WHERE SCHEMA_NAME NOT IN ('mysql', 'performance_schema', 'information_schema')
           AND LAST_SEEN > DATE_SUB(NOW(), INTERVAL {time_limit} SECOND)
         ORDER BY LAST_SEEN DESC) Q
 ORDER BY SUM_TIMER_WAIT DESC
 LIMIT {limit}
"""
# (metric, HELP, scale) in the order of the query's value columns.
COLUMNS = (
    ("mysql_perf_schema_events_statements_total", "The total count of events statements by digest.", 1.0),
    ("mysql_perf_schema_events_statements_seconds_total", "The total time of events statements by digest.", 1e-12),
    ("mysql_perf_schema_events_statements_errors_total", "The errors of events statements by digest.", 1.0),
    ("mysql_perf_schema_events_statements_warnings_total", "The warnings of events statements by digest.", 1.0),
    ("mysql_perf_schema_events_statements_rows_affected_total",
     "The total rows affected of events statements by digest.", 1.0),
    ("mysql_perf_schema_events_statements_rows_sent_total", "The total rows sent of events statements by digest.", 1.0),
    ("mysql_perf_schema_events_statements_rows_examined_total",
     "The total rows examined of events statements by digest.", 1.0),
    ("mysql_perf_schema_events_statements_tmp_disk_tables_total",
     "The total tmp disk tables of events statements by digest.", 1.0),
    ("mysql_perf_schema_events_statements_tmp_tables_total",
     "The total tmp tables of events statements by digest.", 1.0),
    ("mysql_perf_schema_events_statements_sort_merge_passes_total",
     "The total number of merge passes by the sort algorithm performed by digest.", 1.0),
    ("mysql_perf_schema_events_statements_sort_rows_total", "The total number of sorted rows by digest.", 1.0),
    ("mysql_perf_schema_events_statements_no_index_used_total",
     "The total number of statements that used full table scans by digest.", 1.0),
)


@register
class EventsStatements(Scraper):
    name = "perf_schema.eventsstatements"
    enabled_by_default = False
    help = "Collect metrics from performance_schema.events_statements_summary_by_digest"
    LIMIT = Option("--collect.perf_schema.eventsstatements.limit", "eventsstatements_limit", 250,
                                    help="Limit the number of events statements digests by response time",
                                    type=click.IntRange(min=1))
    TIME_LIMIT = Option('--collect.perf_schema.eventsstatements.timelimit',
                                        "eventsstatements_timelimit", 86400,
                                        help="Limit how old the 'last_seen' events statements can be, in seconds",
                                        type=click.IntRange(min=1))
    DIGEST_TEXT_LIMIT = Option('--collect.perf_schema.eventsstatements.digest_text_limit',
                                                "eventsstatements_digest_text_limit", 120,
                                                help="Maximum length of the normalized statement text",
                                                type=click.IntRange(min=1))

    min_version = 5.6

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.query = QUERY.format(limit=int(self.LIMIT.read(options)),
                                  time_limit=int(self.TIME_LIMIT.read(options)),
                                  text_limit=int(self.DIGEST_TEXT_LIMIT.read(options)))

    def scrape(self, db: DB):
        _, rows = db.query(self.query)
        families = [(counter(name, help_text, ["schema", "digest", "digest_text"]), scale)
                    for name, help_text, scale in COLUMNS]
        for schema, digest, text, *values in rows:
            labels = [schema, digest or "", text or ""]
            for (family, scale), value in zip(families, values, strict=True):
                family.add_metric(labels, float(value) * scale)
        if rows:
            for family, _ in families:
                yield family
