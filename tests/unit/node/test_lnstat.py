"""The lnstat collector (node_exporter/collectors/lnstat.py)."""

from __future__ import annotations

import pytest

from node_exporter.collectors.lnstat import LnstatCollector
from tests.unit.node.helpers import make, write


def test_lnstat_row_width_mismatch_fails(tmp_path):
    write(tmp_path, "proc/net/stat/arp_cache", "entries allocs\n00000001 00000002 00000003\n")
    with pytest.raises(ValueError):
        list(make(LnstatCollector, tmp_path).update())
