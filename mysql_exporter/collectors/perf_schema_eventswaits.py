"""performance_schema.events_waits_summary_global_by_event_name: wait events and their time per instrument."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.collector import register
from mysql_exporter.db import DB

QUERY = ("SELECT EVENT_NAME, COUNT_STAR, SUM_TIMER_WAIT "
         "FROM performance_schema.events_waits_summary_global_by_event_name")
PICOSECONDS = 1e-12


@register("perf_schema.eventswaits", default=False,
          help="Collect metrics from performance_schema.events_waits_summary_global_by_event_name")
class EventsWaits:
    min_version = 5.5

    def __init__(self, options) -> None:
        pass

    def scrape(self, db: DB):
        _, rows = db.query(QUERY)
        waits = counter("mysql_perf_schema_events_waits_total", "The total events waits by event name.",
                        ["event_name"])
        seconds = counter("mysql_perf_schema_events_waits_seconds_total", "The total seconds of events waits by event "
                          "name.", ["event_name"])
        for event, count, timer in rows:
            waits.add_metric((event,), float(count))
            seconds.add_metric((event,), float(timer) * PICOSECONDS)
        return [waits, seconds] if rows else []
