"""The arp collector (node_exporter/collectors/arp.py)."""

from __future__ import annotations

import re

from node_exporter.collectors.arp import ArpCollector
from tests.unit.node.helpers import make, samples, write

ARP = ("IP address       HW type     Flags       HW address            Mask     Device\n"
       "10.0.0.1    0x1  0x2  aa:bb:cc:dd:ee:01  *  eth0\n"
       "10.0.0.2    0x1  0x2  aa:bb:cc:dd:ee:02  *  eth0\n"
       "10.0.0.3    0x1  0x2  aa:bb:cc:dd:ee:03  *  wlan0\n")


def test_arp_counts_every_device_unless_a_filter_flag_is_given(tmp_path):
    write(tmp_path, "proc/net/arp", ARP)
    everything = samples(make(ArpCollector, tmp_path).update())
    assert everything == {("node_arp_entries", "eth0"): 2.0, ("node_arp_entries", "wlan0"): 1.0}
    included = samples(make(ArpCollector, tmp_path, arp_device_include=re.compile("^wlan")).update())
    assert included == {("node_arp_entries", "wlan0"): 1.0}
