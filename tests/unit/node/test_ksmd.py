"""The ksmd collector (node_exporter/collectors/ksmd.py)."""

from __future__ import annotations

import pytest

from node_exporter.collectors.ksmd import KsmdCollector
from tests.unit.node.helpers import make, write


def test_ksmd_missing_file_fails(tmp_path):
    write(tmp_path, "sys/kernel/mm/ksm/run", "1\n")
    with pytest.raises(FileNotFoundError):
        list(make(KsmdCollector, tmp_path).update())
