"""The qdisc collector (node_exporter/collectors/qdisc.py)."""

from __future__ import annotations

import json
import re

from node_exporter.collectors.qdisc import QdiscCollector, from_netlink
from tests.unit.node.helpers import make, samples, write


def test_qdisc_reports_root_qdiscs_and_the_device_flags_filter(tmp_path):
    write(tmp_path, "q/results.json", json.dumps([
        {"IfaceName": "eth0", "Kind": "mq", "Bytes": 5},
        {"ifacename": "eth0", "kind": "fq_codel", "parent": 65537, "bytes": 3},  # a child: not reported
        {"IfaceName": "wlan0", "Kind": "fq", "Bytes": 7},
    ]))
    fixtures = str(tmp_path / "q")
    got = samples(make(QdiscCollector, tmp_path, qdisc_fixtures=fixtures).update())
    assert got[("node_qdisc_bytes_total", "eth0", "mq")] == 5
    assert ("node_qdisc_bytes_total", "eth0", "fq_codel") not in got
    included = samples(make(QdiscCollector, tmp_path, qdisc_fixtures=fixtures,
                            qdisk_device_include=re.compile("^wlan")).update())
    assert set(included) == {key for key in got if key[1] == "wlan0"}
    excluded = samples(make(QdiscCollector, tmp_path, qdisc_fixtures=fixtures,
                            qdisc_device_exclude=re.compile("^wlan")).update())
    assert {key[1] for key in excluded} == {"eth0"}


def test_qdisc_netlink_dump_sees_the_loopback_root_qdisc():
    infos = from_netlink()
    assert any(info["IfaceName"] == "lo" and info["Parent"] == 0 and info["Kind"] for info in infos)
