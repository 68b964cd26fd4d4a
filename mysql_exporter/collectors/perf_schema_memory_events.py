"""performance_schema.memory_summary_global_by_event_name: bytes allocated, freed and in use per memory
instrument (the instruments enabled with performance-schema-instrument='memory/%=ON')."""

from __future__ import annotations

import click

from exporter_toolkit.families import counter, gauge
from mysql_exporter.collector import register
from mysql_exporter.db import DB

QUERY = ("SELECT EVENT_NAME, SUM_NUMBER_OF_BYTES_ALLOC, SUM_NUMBER_OF_BYTES_FREE, CURRENT_NUMBER_OF_BYTES_USED "
         "FROM performance_schema.memory_summary_global_by_event_name WHERE COUNT_ALLOC > 0")


@register("perf_schema.memory_events", default=False,
          help="Collect metrics from performance_schema.memory_summary_global_by_event_name", options=[
              click.option("--collect.perf_schema.memory_events.remove_prefix", "memory_events_remove_prefix",
                           default="memory/", show_default=True,
                           help="Remove instrument prefix in performance_schema.memory_summary_global_by_event_name"),
          ])
class MemoryEvents:
    min_version = 5.7

    def __init__(self, options) -> None:
        self.prefix = options.get("memory_events_remove_prefix", "memory/")

    def scrape(self, db: DB):
        _, rows = db.query(QUERY)
        alloc = counter("mysql_perf_schema_memory_events_alloc_bytes_total",
                        "The total number of bytes allocated by events.", ["event_name"])
        free = counter("mysql_perf_schema_memory_events_free_bytes_total", "The total number of bytes freed by events.",
                       ["event_name"])
        used = gauge("mysql_perf_schema_memory_events_used_bytes", "The number of bytes currently allocated by events.",
                     ["event_name"])
        prefix = self.prefix
        for event, allocated, freed, in_use in rows:
            if prefix and event.startswith(prefix):
                event = event[len(prefix):]
            alloc.add_metric((event,), float(allocated))
            free.add_metric((event,), float(freed))
            used.add_metric((event,), float(in_use))
        return [alloc, free, used] if rows else []
