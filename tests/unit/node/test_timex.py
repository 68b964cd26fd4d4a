"""The timex collector (node_exporter/collectors/timex.py)."""

from __future__ import annotations

import errno

import pytest

from node_exporter.collector import Context, NoDataError
from node_exporter.collectors import timex
from tests.unit.node.helpers import collect, value


def test_timex_reads_this_hosts_clock_discipline():
    state, tx = timex.adjtimex()
    families = collect(timex.TimexCollector(Context()))
    assert value(families, "node_timex_sync_status") == (0.0 if state == timex.TIME_ERROR else 1.0)
    assert value(families, "node_timex_tick_seconds") == tx.tick / 1e6 > 0  # the kernel's tick is never 0
    assert value(families, "node_timex_status") == float(tx.status)
    assert len(families) == 17 and families["node_timex_pps_jitter_total"]["type"] == "counter"


@pytest.mark.parametrize(("status", "divisor"), [(0x0001, 1e6), (0x2001, 1e9)])
def test_timex_units_follow_the_nano_status_bit(monkeypatch, status, divisor):
    fake = timex.Timex(offset=-250000, freq=655360, maxerror=1500, esterror=20, status=status, tick=10000,
                       jitter=3000, tai=37)
    monkeypatch.setattr(timex.TimexCollector, "read", staticmethod(lambda: (timex.TIME_ERROR, fake)))
    families = collect(timex.TimexCollector(Context()))
    assert value(families, "node_timex_offset_seconds") == -250000 / divisor
    assert value(families, "node_timex_pps_jitter_seconds") == 3000 / divisor
    assert value(families, "node_timex_frequency_adjustment_ratio") == 1 + 655360 / 65536e6
    assert value(families, "node_timex_maxerror_seconds") == 0.0015
    assert value(families, "node_timex_sync_status") == 0.0
    assert value(families, "node_timex_tai_offset_seconds") == 37.0


def test_timex_without_permission_is_no_data(monkeypatch):
    def refused():
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(timex.TimexCollector, "read", staticmethod(refused))
    with pytest.raises(NoDataError):
        collect(timex.TimexCollector(Context()))
