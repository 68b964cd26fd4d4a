"""performance_schema.events_waits_summary_global_by_event_name: wait events and their time per instrument."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = ("SELECT EVENT_NAME, COUNT_STAR, SUM_TIMER_WAIT "
         "FROM performance_schema.events_waits_summary_global_by_event_name")
PICOSECONDS = 1e-12


@register
class EventsWaits(Scraper):
    name = "perf_schema.eventswaits"
    enabled_by_default = False
    help = "Collect metrics from performance_schema.events_waits_summary_global_by_event_name"
    min_version = 5.5

    def scrape(self, db: DB):
        _, rows = db.query(QUERY)
        waits = counter("mysql_perf_schema_events_waits_total", "The total events waits by event name.",
                        ["event_name"])
        seconds = counter("mysql_perf_schema_events_waits_seconds_total", "The total seconds of events waits by event "
                          "name.", ["event_name"])
        for event, count, timer in rows:
            waits.add_metric((event,), float(count))
            seconds.add_metric((event,), float(timer) * PICOSECONDS)
        if rows:
            yield from [waits, seconds]
