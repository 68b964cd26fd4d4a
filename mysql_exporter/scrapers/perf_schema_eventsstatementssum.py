"""performance_schema.events_statements_summary_by_digest summed over all digests: server-wide statement
totals without the cardinality of one series per digest."""

from __future__ import annotations

from exporter_toolkit.families import raw_counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

# Column summed -> family (served under its bare name, as mysqld_exporter does), HELP, scale.
COLUMNS = (
    ("COUNT_STAR", "mysql_perf_schema_events_statements_sum_total", "The total count of events statements.", 1.0),
    ("SUM_CREATED_TMP_DISK_TABLES", "mysql_perf_schema_events_statements_sum_created_tmp_disk_tables",
     "The number of on-disk temporary tables created.", 1.0),
    ("SUM_CREATED_TMP_TABLES", "mysql_perf_schema_events_statements_sum_created_tmp_tables",
     "The number of temporary tables created.", 1.0),
    ("SUM_ERRORS", "mysql_perf_schema_events_statements_sum_errors", "Number of errors.", 1.0),
    ("SUM_LOCK_TIME", "mysql_perf_schema_events_statements_sum_lock_time",
     "Time in picoseconds spent waiting for locks.", 1.0),
    ("SUM_NO_GOOD_INDEX_USED", "mysql_perf_schema_events_statements_sum_no_good_index_used",
     "Number of times no good index was found.", 1.0),
    ("SUM_NO_INDEX_USED", "mysql_perf_schema_events_statements_sum_no_index_used",
     "Number of times no index was found.", 1.0),
    ("SUM_ROWS_AFFECTED", "mysql_perf_schema_events_statements_sum_rows_affected",
     "Number of rows affected by statements.", 1.0),
    ("SUM_ROWS_EXAMINED", "mysql_perf_schema_events_statements_sum_rows_examined",
     "Number of rows read during statements' execution.", 1.0),
    ("SUM_ROWS_SENT", "mysql_perf_schema_events_statements_sum_rows_sent", "Number of rows returned.", 1.0),
    ("SUM_SELECT_FULL_JOIN", "mysql_perf_schema_events_statements_sum_select_full_join",
     "Number of joins performed by statements which did not use an index.", 1.0),
    ("SUM_SELECT_FULL_RANGE_JOIN", "mysql_perf_schema_events_statements_sum_select_full_range_join",
     "Number of joins performed by statements which used a range search of the first table.", 1.0),
    ("SUM_SELECT_RANGE", "mysql_perf_schema_events_statements_sum_select_range",
     "Number of joins performed by statements which used a range of the first table.", 1.0),
    ("SUM_SELECT_RANGE_CHECK", "mysql_perf_schema_events_statements_sum_select_range_check",
     "Number of joins without keys performed by statements that check for key usage after each row.", 1.0),
    ("SUM_SELECT_SCAN", "mysql_perf_schema_events_statements_sum_select_scan",
     "Number of joins performed by statements which used a full scan of the first table.", 1.0),
    ("SUM_SORT_MERGE_PASSES", "mysql_perf_schema_events_statements_sum_sort_merge_passes",
     "Number of merge passes by the sort algorithm performed by statements.", 1.0),
    ("SUM_SORT_RANGE", "mysql_perf_schema_events_statements_sum_sort_range",
     "Number of sorts performed by statements which used a range.", 1.0),
    ("SUM_SORT_ROWS", "mysql_perf_schema_events_statements_sum_sort_rows", "Number of rows sorted.", 1.0),
    ("SUM_SORT_SCAN", "mysql_perf_schema_events_statements_sum_sort_scan",
     "Number of sorts performed by statements which used a full table scan.", 1.0),
    # The HELP says "time"; the value is seconds (picoseconds / 1e12), as mysqld_exporter serves it.
    ("SUM_TIMER_WAIT", "mysql_perf_schema_events_statements_sum_timer_wait",
     "Total wait time of the summarized events that are timed.", 1e-12),
    ("SUM_WARNINGS", "mysql_perf_schema_events_statements_sum_warnings", "Number of warnings.", 1.0),
)
QUERY = ("SELECT " + ", ".join(f"IFNULL(SUM({column}), 0)" for column, *_ in COLUMNS)
         + " FROM performance_schema.events_statements_summary_by_digest")


@register
class EventsStatementsSum(Scraper):
    name = "perf_schema.eventsstatementssum"
    enabled_by_default = False
    help = "Collect metrics of grand sums from performance_schema.events_statements_summary_by_digest"
    min_version = 5.7

    def scrape(self, db: DB):
        _, rows = db.query(QUERY)
        families = []
        for row in rows[:1]:
            for (_, name, help_text, scale), raw in zip(COLUMNS, row, strict=True):
                families.append(raw_counter(name, help_text, value=float(raw) * scale))
        yield from families
