"""The cgroups collector (node_exporter/collectors/cgroups.py)."""

from __future__ import annotations

import pytest

from node_exporter.collectors.cgroups import CgroupsCollector
from tests.unit.node.helpers import make, write


def test_malformed_cgroups_line_fails_cgroups(tmp_path):
    write(tmp_path, "proc/cgroups", "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t3\t172\n")
    with pytest.raises(ValueError):
        list(make(CgroupsCollector, tmp_path).update())
