"""The slabinfo collector (node_exporter/collectors/slabinfo.py)."""

from __future__ import annotations

import pytest

from node_exporter.collectors.slabinfo import SlabinfoCollector
from tests.unit.node.helpers import make, write


def test_slabinfo_needs_version_2_header(tmp_path):
    write(tmp_path, "proc/slabinfo", "slabinfo - version: 1.1\nkmalloc 1 2 3 4 5\n")
    with pytest.raises(ValueError, match="unsupported slabinfo header"):
        list(make(SlabinfoCollector, tmp_path).update())
