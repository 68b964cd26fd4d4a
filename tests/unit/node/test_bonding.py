"""The bonding collector (node_exporter/collectors/bonding.py)."""

from __future__ import annotations

import pytest

from node_exporter.collector import NoDataError
from node_exporter.collectors.bonding import BondingCollector
from tests.unit.node.helpers import make, samples, write


def test_bonding_absent_is_no_data_and_newer_kernels_lower_links_count(tmp_path):
    with pytest.raises(NoDataError):
        list(make(BondingCollector, tmp_path).update())
    write(tmp_path, "sys/class/net/bonding_masters", "bond0\n")
    write(tmp_path, "sys/class/net/bond0/bonding/slaves", "eth0 eth1\n")
    write(tmp_path, "sys/class/net/bond0/lower_eth0/bonding_slave/mii_status", "up\n")
    write(tmp_path, "sys/class/net/bond0/lower_eth1/bonding_slave/mii_status", "down\n")
    assert samples(make(BondingCollector, tmp_path).update()) == {
        ("node_bonding_slaves", "bond0"): 2.0, ("node_bonding_active", "bond0"): 1.0}
    write(tmp_path, "sys/class/net/bond0/bonding/slaves", "eth0 eth1 eth2\n")  # eth2 has no status file
    with pytest.raises(NoDataError):
        list(make(BondingCollector, tmp_path).update())
