"""performance_schema.memory_summary_global_by_event_name: bytes allocated, freed and in use per memory
instrument (the instruments enabled with performance-schema-instrument='memory/%=ON')."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import counter, gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = ("SELECT EVENT_NAME, SUM_NUMBER_OF_BYTES_ALLOC, SUM_NUMBER_OF_BYTES_FREE, CURRENT_NUMBER_OF_BYTES_USED "
         "FROM performance_schema.memory_summary_global_by_event_name WHERE COUNT_ALLOC > 0")


@register
class MemoryEvents(Scraper):
    name = "perf_schema.memory_events"
    enabled_by_default = False
    help = "Collect metrics from performance_schema.memory_summary_global_by_event_name"
    REMOVE_PREFIX = Option('--collect.perf_schema.memory_events.remove_prefix',
                                         "memory_events_remove_prefix", "memory/",
                                         help="Remove instrument prefix in "
                                              "performance_schema.memory_summary_global_by_event_name")

    min_version = 5.7

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.prefix = self.REMOVE_PREFIX.read(options)

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
        if rows:
            yield from [alloc, free, used]
