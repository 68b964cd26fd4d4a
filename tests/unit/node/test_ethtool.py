"""The ethtool collector (node_exporter/collectors/ethtool.py)."""

from __future__ import annotations

import errno
import os

import pytest

from node_exporter.collector import Context
from node_exporter.collectors import ethtool
from node_exporter.paths import Paths
from tests.unit.node.helpers import collect, value


@pytest.mark.parametrize(("stat", "name"), [
    ("rx_queue_0_bytes", "node_ethtool_received_queue_0_bytes"),
    ("tx_tx_timeouts", "node_ethtool_transmitted_tx_timeouts"),  # non-overlapping matches, as Go's regexp
    ("tx_xdp_tx_drops", "node_ethtool_transmitted_xdp_transmitted_drops"),
    ("port.rx_bytes", "node_ethtool_port_received_bytes"),
    ("Rx Packets (64)", "node_ethtool_received_packets_64_"),
])
def test_ethtool_metric_names_as_go(stat, name):
    assert ethtool.metric_name(stat) == name


class RecordedEthtool:
    """What an Intel ixgbe port answered (ETHTOOL_GSET, GDRVINFO, GSTATS), recorded: this VM's virtio NIC has no
    link modes."""

    def link_info(self, device):
        if device != "eth0":
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        supported = (1 << 5) | (1 << 12) | (1 << 6) | (1 << 10) | (1 << 13)  # 1000/10000 full, autoneg, fibre, pause
        return supported, (1 << 12) | (1 << 6), 1

    def driver_info(self, device):
        if device != "eth0":
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return {"driver": "ixgbe", "version": "5.1.0-k", "firmware_version": "0x800003df",
                "bus_info": "0000:03:00.0", "expansion_rom_version": "", "n_stats": 5}

    def stats(self, device):
        if device != "eth0":
            raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return {"rx_packets": 1234, "tx_bytes": 999, "rx-missed": 1, "rx_missed": 2, "fdir_match": 77}


def test_ethtool_on_recorded_answers(tmp_path):
    for device in ("eth0", "lo"):
        (tmp_path / "class" / "net" / device).mkdir(parents=True)
    collector = ethtool.EthtoolCollector(Context(paths=Paths(sysfs=str(tmp_path)), options={}))
    collector.ethtool = RecordedEthtool()
    families = collect(collector)
    assert value(families, "node_ethtool_info", bus_info="0000:03:00.0", device="eth0", driver="ixgbe",
                 expansion_rom_version="", firmware_version="0x800003df", version="5.1.0-k") == 1.0
    assert value(families, "node_ethtool_received_packets_total", device="eth0") == 1234.0
    assert families["node_ethtool_received_packets_total"]["type"] == "unknown"  # untyped, as Go
    assert value(families, "node_ethtool_transmitted_bytes_total", device="eth0") == 999.0
    assert value(families, "node_ethtool_fdir_match", device="eth0") == 77.0
    assert "node_ethtool_received_missed" not in families  # rx-missed and rx_missed clash: both dropped
    assert value(families, "node_network_supported_speed_bytes", device="eth0", duplex="full",
                 mode="10000baseT") == 1.25e9
    assert value(families, "node_network_advertised_speed_bytes", device="eth0", duplex="full",
                 mode="10000baseT") == 1.25e9
    assert len(families["node_network_advertised_speed_bytes"]["rows"]) == 1
    assert value(families, "node_network_supported_port_info", device="eth0", type="FIBRE") == 1.0
    assert value(families, "node_network_pause_supported", device="eth0") == 1.0
    assert value(families, "node_network_pause_advertised", device="eth0") == 0.0
    assert value(families, "node_network_autonegotiate", device="eth0") == 1.0


def test_ethtool_flags_filter_devices_and_stats(tmp_path):
    for device in ("eth0", "eth1"):
        (tmp_path / "class" / "net" / device).mkdir(parents=True)
    options = {"ethtool_device_exclude": __import__("re").compile("^eth1$"),
               "ethtool_metrics_include": __import__("re").compile("^rx")}
    collector = ethtool.EthtoolCollector(Context(paths=Paths(sysfs=str(tmp_path)), options=options))
    collector.ethtool = RecordedEthtool()
    families = collect(collector)
    assert "node_ethtool_transmitted_bytes_total" not in families and "node_ethtool_fdir_match" not in families
    assert set(families["node_ethtool_received_packets_total"]["rows"]) == {(("device", "eth0"),)}


def test_ethtool_ioctls_on_this_host():
    """Driver info of every device whose driver answers ETHTOOL_GDRVINFO, as ethtool -i prints it."""
    families = collect(ethtool.EthtoolCollector(Context(options={})))
    devices = {dict(labels)["device"]: dict(labels) for labels in families["node_ethtool_info"]["rows"]}
    for device, labels in devices.items():
        driver = os.path.basename(os.path.realpath(f"/sys/class/net/{device}/device/driver"))
        if os.path.exists(f"/sys/class/net/{device}/device/driver"):
            assert labels["driver"] == driver.replace("-", "_") or labels["driver"] == driver
    assert devices, "no device answered ETHTOOL_GDRVINFO"
