"""node_thermal_zone_temp and node_cooling_device_*: /sys/class/thermal zones and cooling devices."""

from __future__ import annotations

import errno
import glob
import os

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text

# A zone whose sensor cannot be read right now (e.g. a powered-down device) is skipped, as Go's procfs does.
SKIPPED_ERRORS = (errno.ENODATA, errno.EAGAIN, errno.EINVAL, errno.EIO)


def _read(directory: str, name: str) -> str:
    return read_text(os.path.join(directory, name)).strip()


@register
class ThermalZoneCollector(Collector):
    name = "thermal_zone"

    def update(self):
        root = self.paths.sys("class", "thermal")
        temp = gauge("node_thermal_zone_temp", "Zone temperature in Celsius", ["zone", "type"])
        for directory in sorted(glob.glob(os.path.join(glob.escape(root), "thermal_zone*"))):
            try:
                kind = _read(directory, "type")
                value = int(_read(directory, "temp"))
            except OSError as exc:
                if exc.errno in SKIPPED_ERRORS:
                    continue
                raise
            temp.add_metric([os.path.basename(directory)[len("thermal_zone"):], kind], value / 1000.0)
        current = gauge("node_cooling_device_cur_state", "Current throttle state of the cooling device",
                        ["name", "type"])
        maximum = gauge("node_cooling_device_max_state", "Maximum throttle state of the cooling device",
                        ["name", "type"])
        for directory in sorted(glob.glob(os.path.join(glob.escape(root), "cooling_device*"))):
            name = os.path.basename(directory)[len("cooling_device"):]
            kind = _read(directory, "type")
            max_state = int(_read(directory, "max_state"))
            try:
                cur_state = int(_read(directory, "cur_state"))
            except OSError as exc:  # some drivers refuse to report the current state; Go leaves it out
                if exc.errno in SKIPPED_ERRORS:
                    cur_state = None
                else:
                    raise
            if cur_state is not None:
                current.add_metric([name, kind], cur_state)
            maximum.add_metric([name, kind], max_state)
        yield from (family for family in (temp, current, maximum) if family.rows)
