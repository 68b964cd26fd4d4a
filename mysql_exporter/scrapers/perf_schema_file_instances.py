"""performance_schema.file_summary_by_instance: read/write operations and bytes per file, for the files whose
name matches --collect.perf_schema.file_instances.filter (a server-side REGEXP)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import counter, raw_counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = ("SELECT FILE_NAME, EVENT_NAME, COUNT_READ, COUNT_WRITE, SUM_NUMBER_OF_BYTES_READ, SUM_NUMBER_OF_BYTES_WRITE "
         "FROM performance_schema.file_summary_by_instance WHERE FILE_NAME REGEXP %s")
LABELS = ["file_name", "event_name", "mode"]


@register
class FileInstances(Scraper):
    name = "perf_schema.file_instances"
    enabled_by_default = False
    help = "Collect metrics from performance_schema.file_summary_by_instance"
    FILTER = Option("--collect.perf_schema.file_instances.filter", "file_instances_filter", ".*",
                                   help="RegEx file_name filter for performance_schema.file_summary_by_instance")
    REMOVE_PREFIX = Option('--collect.perf_schema.file_instances.remove_prefix',
                                          "file_instances_remove_prefix", "/var/lib/mysql/",
                                          help="Remove path prefix in performance_schema.file_summary_by_instance")

    min_version = 5.5

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.filter = self.FILTER.read(options)
        self.prefix = self.REMOVE_PREFIX.read(options)

    def scrape(self, db: DB):
        _, rows = db.query(QUERY, (self.filter,))
        operations = counter("mysql_perf_schema_file_instances_total",
                             "The total number of file read/write operations.", LABELS)
        bytes_family = raw_counter("mysql_perf_schema_file_instances_bytes",
                                   "The number of bytes processed by file read/write operations.", LABELS)
        prefix = self.prefix
        for file_name, event, count_read, count_write, bytes_read, bytes_write in rows:
            if prefix and file_name.startswith(prefix):
                file_name = file_name[len(prefix):]
            operations.add_metric((file_name, event, "read"), float(count_read))
            operations.add_metric((file_name, event, "write"), float(count_write))
            bytes_family.add_metric((file_name, event, "read"), float(bytes_read))
            bytes_family.add_metric((file_name, event, "write"), float(bytes_write))
        if rows:
            yield from [operations, bytes_family]
