"""Importing this package registers every scraper (one module each)."""

from mysql_exporter.collectors import (  # noqa: F401 - imported for their registration
    binlog_size,
    global_status,
    global_variables,
    innodb_cmp,
    innodb_cmpmem,
    innodb_metrics,
    perf_schema_eventsstatements,
    perf_schema_tableiowaits,
    processlist,
    query_response_time,
    slave_status,
    tables,
)
