"""The sysctl collector (node_exporter/collectors/sysctl.py)."""

from __future__ import annotations

import pytest

from node_exporter.collectors.sysctl import SysctlCollector
from tests.unit.node.helpers import make, samples, write


def test_sysctl_flags_shape_the_metrics_and_key_count_mismatch_fails(tmp_path):
    write(tmp_path, "proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n")
    write(tmp_path, "proc/sys/kernel/hostname", "box\n")
    collector = make(SysctlCollector, tmp_path, sysctl_include=("net.ipv4.ip_local_port_range:low,high",),
                     sysctl_include_info=("kernel.hostname",))
    got = samples(collector.update())
    assert got == {("node_sysctl_net_ipv4_ip_local_port_range_low",): 32768.0,
                   ("node_sysctl_net_ipv4_ip_local_port_range_high",): 60999.0,
                   ("node_sysctl_info", "kernel.hostname", "box", "0"): 1.0}
    wrong = make(SysctlCollector, tmp_path, sysctl_include=("net.ipv4.ip_local_port_range:a,b,c",))
    with pytest.raises(ValueError, match="has 2 keys"):
        list(wrong.update())
    assert list(make(SysctlCollector, tmp_path).update()) == []  # no flag, nothing asked
