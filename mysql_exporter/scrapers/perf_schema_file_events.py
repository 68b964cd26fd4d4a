"""performance_schema.file_summary_by_event_name: file I/O operations, time and bytes per instrument and
mode (read, write, misc)."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = ("SELECT EVENT_NAME, COUNT_READ, SUM_TIMER_READ, SUM_NUMBER_OF_BYTES_READ, COUNT_WRITE, SUM_TIMER_WRITE, "
         "SUM_NUMBER_OF_BYTES_WRITE, COUNT_MISC, SUM_TIMER_MISC FROM performance_schema.file_summary_by_event_name")
PICOSECONDS = 1e-12
LABELS = ["event_name", "mode"]


@register
class FileEvents(Scraper):
    name = "perf_schema.file_events"
    enabled_by_default = False
    help = "Collect metrics from performance_schema.file_summary_by_event_name"
    min_version = 5.6

    def scrape(self, db: DB):
        _, rows = db.query(QUERY)
        events = counter("mysql_perf_schema_file_events_total", "The total file events by event name/mode.", LABELS)
        seconds = counter("mysql_perf_schema_file_events_seconds_total", "The total seconds of file events by event "
                          "name/mode.", LABELS)
        bytes_family = counter("mysql_perf_schema_file_events_bytes_total", "The total bytes of file events by event "
                               "name/mode.", LABELS)
        for event, count_read, timer_read, bytes_read, count_write, timer_write, bytes_write, count_misc, \
                timer_misc in rows:
            events.add_metric((event, "read"), float(count_read))
            seconds.add_metric((event, "read"), float(timer_read) * PICOSECONDS)
            bytes_family.add_metric((event, "read"), float(bytes_read))
            events.add_metric((event, "write"), float(count_write))
            seconds.add_metric((event, "write"), float(timer_write) * PICOSECONDS)
            bytes_family.add_metric((event, "write"), float(bytes_write))
            events.add_metric((event, "misc"), float(count_misc))
            seconds.add_metric((event, "misc"), float(timer_misc) * PICOSECONDS)
        if rows:
            yield from [events, seconds, bytes_family]
