"""node_timex_*: the kernel clock discipline's state from adjtimex(2), called read-only through ctypes."""

from __future__ import annotations

import ctypes
import errno
import logging
import os

from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.libc import LIBC

log = logging.getLogger(__name__)

TIME_ERROR = 5  # adjtimex's return value when the clock is not synchronised
STA_NANO = 0x2000  # status bit: offset and jitter are in nanoseconds, else microseconds
PPM16FRAC = 1000000.0 * 65536.0  # freq, ppsfreq and stabil are ppm with a 16-bit fraction (adjtimex(2) NOTES)


class Timex(ctypes.Structure):
    """struct timex as <sys/timex.h> lays it out (C long and int keep the platform's alignment)."""

    _fields_ = [
        ("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long), ("status", ctypes.c_int),
        ("constant", ctypes.c_long), ("precision", ctypes.c_long), ("tolerance", ctypes.c_long),
        ("time_sec", ctypes.c_long), ("time_usec", ctypes.c_long), ("tick", ctypes.c_long),
        ("ppsfreq", ctypes.c_long), ("jitter", ctypes.c_long), ("shift", ctypes.c_int),
        ("stabil", ctypes.c_long), ("jitcnt", ctypes.c_long), ("calcnt", ctypes.c_long),
        ("errcnt", ctypes.c_long), ("stbcnt", ctypes.c_long), ("tai", ctypes.c_int),
        ("_reserved", ctypes.c_int * 11),
    ]


def adjtimex() -> tuple[int, Timex]:
    """(clock state, struct timex); modes 0 only reads, so no privilege is needed."""
    buf = Timex()
    state = LIBC.adjtimex(ctypes.byref(buf))
    if state < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return state, buf


@register
class TimexCollector(Collector):
    name = "timex"

    # A seam for tests: the golden tree must not depend on this host's clock discipline.
    read = staticmethod(adjtimex)

    def update(self):
        try:
            state, tx = self.read()
        except OSError as exc:
            if exc.errno in (errno.EPERM, errno.EACCES):
                raise NoDataError(f"Not collecting timex metrics: {exc}") from exc
            raise OSError(exc.errno, f"failed to retrieve adjtimex stats: {exc.strerror}") from exc
        divisor = 1e9 if tx.status & STA_NANO else 1e6
        yield gauge("node_timex_sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
                    value=0.0 if state == TIME_ERROR else 1.0)
        yield gauge("node_timex_offset_seconds", "Time offset in between local system and reference clock.",
                    value=tx.offset / divisor)
        yield gauge("node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.",
                    value=1 + tx.freq / PPM16FRAC)
        yield gauge("node_timex_maxerror_seconds", "Maximum error in seconds.", value=tx.maxerror / 1e6)
        yield gauge("node_timex_estimated_error_seconds", "Estimated error in seconds.", value=tx.esterror / 1e6)
        yield gauge("node_timex_status", "Value of the status array bits.", value=float(tx.status))
        yield gauge("node_timex_loop_time_constant", "Phase-locked loop time constant.", value=float(tx.constant))
        yield gauge("node_timex_tick_seconds", "Seconds between clock ticks.", value=tx.tick / 1e6)
        yield gauge("node_timex_pps_frequency_hertz", "Pulse per second frequency.", value=tx.ppsfreq / PPM16FRAC)
        yield gauge("node_timex_pps_jitter_seconds", "Pulse per second jitter.", value=tx.jitter / divisor)
        yield gauge("node_timex_pps_shift_seconds", "Pulse per second interval duration.", value=float(tx.shift))
        yield gauge("node_timex_pps_stability_hertz",
                    "Pulse per second stability, average of recent frequency changes.", value=tx.stabil / PPM16FRAC)
        yield counter("node_timex_pps_jitter_total", "Pulse per second count of jitter limit exceeded events.",
                      value=float(tx.jitcnt))
        yield counter("node_timex_pps_calibration_total", "Pulse per second count of calibration intervals.",
                      value=float(tx.calcnt))
        yield counter("node_timex_pps_error_total", "Pulse per second count of calibration errors.",
                      value=float(tx.errcnt))
        yield counter("node_timex_pps_stability_exceeded_total",
                      "Pulse per second count of stability limit exceeded events.", value=float(tx.stbcnt))
        yield gauge("node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.", value=float(tx.tai))
