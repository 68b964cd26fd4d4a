"""node_service_*: the state of each runit service, from <servicedir>/<service>/supervise/status.

The status file is runsv's 20-byte record: a TAI64N timestamp of the last change, the pid, the paused flag,
the wanted state ('u' or 'd'), the term flag and the state (0 down, 1 run, 2 finish). Go 1.5 (go-runit) reports
a service normally down when supervise/down exists; runit's own `down` file beside `run` does not count there,
and we keep Go's answer so the series agree.
"""

from __future__ import annotations

import logging
import os
import struct

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, Context, register

log = logging.getLogger(__name__)

STATUS = struct.Struct(">QI4xBBBB")  # TAI64 seconds, nanoseconds, pid (skipped), paused, want, term, state
TAI_OFFSET = (1 << 62) + 10  # TAI64 label of the Unix epoch, as runit writes it
WANTED = {ord("u"): 1, ord("d"): 0}


def read_status(directory: str) -> tuple[int, int, float, bool]:
    """(state, wanted state, last change as a Unix timestamp, normally up) of one service directory."""
    with open(os.path.join(directory, "supervise", "status"), "rb") as handle:
        data = handle.read()
    if len(data) != 20:
        raise ValueError(f"status file has {len(data)} bytes, want 20")
    seconds, _nanoseconds, _paused, want, _term, state = STATUS.unpack(data)
    normally_up = not os.path.exists(os.path.join(directory, "supervise", "down"))
    return state, WANTED.get(want, 0), float(seconds - TAI_OFFSET), normally_up


@register
class RunitCollector(Collector):
    name = "runit"
    enabled_by_default = False
    SERVICEDIR = Option("--collector.runit.servicedir", "runit_servicedir", "/etc/service",
                        help="Path to runit service directory.")

    def __init__(self, ctx: Context) -> None:
        self.servicedir = self.SERVICEDIR.read(ctx.options)

    def update(self):
        names = sorted(entry.name for entry in os.scandir(self.servicedir) if entry.is_dir())
        labels = ["service", "supervisor"]  # supervisor is always "runit", a constant label in Go
        state = gauge("node_service_state", "State of runit service.", labels)
        desired = gauge("node_service_desired_state", "Desired state of runit service.", labels)
        normal = gauge("node_service_normal_state", "Normal state of runit service.", labels)
        changed = gauge("node_service_state_last_change_timestamp_seconds",
                        "Unix timestamp of the last runit service state change.", labels)
        for name in names:
            try:
                current, wanted, timestamp, normally_up = read_status(os.path.join(self.servicedir, name))
            except (OSError, ValueError) as exc:
                log.debug("Couldn't get status", extra={"service": name, "err": str(exc)})
                continue
            values = [name, "runit"]
            state.add_metric(values, float(current))
            desired.add_metric(values, float(wanted))
            changed.add_metric(values, timestamp)
            normal.add_metric(values, 1.0 if normally_up else 0.0)
        yield from (family for family in (state, desired, normal, changed) if family.rows)
