"""node_time_seconds, the time zone offset and the kernel's clock sources."""

from __future__ import annotations

import glob
import os
import time as _time

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text


@register
class TimeCollector(Collector):
    name = "time"

    # Tests replace this to make the output deterministic.
    clock = staticmethod(_time.time)

    def update(self):
        now = self.clock()
        yield gauge("node_time_seconds", "System time in seconds since epoch (1970).", value=now)
        local = _time.localtime(now)
        offset = gauge("node_time_zone_offset_seconds", "System time zone offset in seconds.",
                                   labels=["time_zone"])
        offset.add_metric([local.tm_zone], float(local.tm_gmtoff))
        yield offset
        available = gauge("node_time_clocksource_available_info",
                                      "Available clocksources read from '/sys/devices/system/clocksource'.",
                                      labels=["clocksource", "device"])
        current = gauge("node_time_clocksource_current_info",
                                    "Current clocksource read from '/sys/devices/system/clocksource'.",
                                    labels=["clocksource", "device"])
        for directory in sorted(glob.glob(self.paths.sys("devices", "system", "clocksource", "clocksource[0-9]*"))):
            device = os.path.basename(directory)[len("clocksource"):]
            for name in read_text(os.path.join(directory, "available_clocksource")).split():
                available.add_metric([name, device], 1.0)
            for name in read_text(os.path.join(directory, "current_clocksource")).split():
                current.add_metric([name, device], 1.0)
        yield available
        yield current
