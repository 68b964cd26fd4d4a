"""The wifi collector (node_exporter/collectors/wifi.py)."""

from __future__ import annotations

import base64
import json
import struct

import pytest

from node_exporter import netlink
from node_exporter.collector import NoDataError
from node_exporter.collectors import wifi
from node_exporter.collectors.wifi import WifiCollector
from tests.unit.node.helpers import make, samples, scrape, write


def test_wifi_fixture_interface_without_bss_and_missing_interfaces_file(tmp_path):
    mac = base64.b64encode(bytes([0xde, 0xad, 0xbe, 0xef, 0, 1])).decode()
    write(tmp_path, "w/interfaces.json", json.dumps([{"Name": "wlp2s0", "Frequency": 5180}, {"type": 10}]))
    write(tmp_path, "w/wlp2s0/stationinfo.json", json.dumps([{"HardwareAddr": mac, "Connected": 2_500_000_000}]))
    got = samples(make(WifiCollector, tmp_path, wifi_fixtures=str(tmp_path / "w")).update())
    assert got[("node_wifi_interface_frequency_hertz", "wlp2s0")] == 5.18e9
    assert got[("node_wifi_station_connected_seconds_total", "wlp2s0", "de:ad:be:ef:00:01")] == 2.5
    assert not any(key[0] == "node_wifi_station_info" for key in got)  # no bss.json: no station info
    result = scrape({"wifi": make(WifiCollector, tmp_path, wifi_fixtures=str(tmp_path / "nowhere"))})
    assert result[("node_scrape_collector_success", "wifi")] == 0.0


def test_wifi_nl80211_answers_are_decoded_into_gos_units(monkeypatch):
    """The kernel's attributes (ms, 100 kbit/s units, signed dBm byte, SSID element) as Go's wifi package reads them;
    no WiFi hardware here, so the answers are built with the same netlink encoding."""
    attr = netlink.attribute
    u32 = struct.Struct("=I").pack
    station = {
        wifi.NL80211_ATTR_MAC: bytes([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]),
        wifi.NL80211_ATTR_STA_INFO: b"".join([
            attr(wifi.NL80211_STA_INFO_INACTIVE_TIME, u32(400)),
            attr(wifi.NL80211_STA_INFO_CONNECTED_TIME, u32(30)),
            attr(wifi.NL80211_STA_INFO_RX_BYTES, u32(7)),
            attr(wifi.NL80211_STA_INFO_RX_BYTES64, struct.pack("=Q", 1 << 33)),
            attr(wifi.NL80211_STA_INFO_TX_BYTES, u32(9)),
            attr(wifi.NL80211_STA_INFO_SIGNAL, bytes([0xcc])),
            attr(wifi.NL80211_STA_INFO_TX_BITRATE, attr(wifi.NL80211_RATE_INFO_BITRATE32, u32(1640))),
            attr(wifi.NL80211_STA_INFO_RX_BITRATE, attr(wifi.NL80211_RATE_INFO_BITRATE, struct.pack("=H", 1280))),
            attr(wifi.NL80211_STA_INFO_TX_RETRIES, u32(10)),
            attr(wifi.NL80211_STA_INFO_BEACON_LOSS, u32(1)),
        ]),
    }
    seen_bss = {wifi.NL80211_ATTR_BSS: attr(wifi.NL80211_BSS_BSSID, bytes(6))}  # scanned, not joined
    joined_bss = {wifi.NL80211_ATTR_BSS: b"".join([
        attr(wifi.NL80211_BSS_BSSID, bytes([0, 0x11, 0x22, 0x33, 0x44, 0x55])),
        attr(wifi.NL80211_BSS_INFORMATION_ELEMENTS, b"\x01\x02ab\x00\x07Example"),
        attr(wifi.NL80211_BSS_STATUS, u32(1)),
    ])}
    answers = {wifi.NL80211_CMD_GET_STATION: [station], wifi.NL80211_CMD_GET_SCAN: [seen_bss, joined_bss]}
    source = wifi.NetlinkSource(family=0)
    monkeypatch.setattr(source, "_dump", lambda command, interface: answers[command])
    interface = wifi.Interface(3, "wlan0", 2412)
    assert source.bss(interface) == wifi.Bss("Example", "00:11:22:33:44:55", 1)
    (got,) = source.stations(interface)
    assert got == wifi.Station(mac="aa:bb:cc:dd:ee:ff", connected_seconds=30.0, inactive_seconds=0.4,
                               receive_bitrate=128_000_000, transmit_bitrate=164_000_000, received_bytes=1 << 33,
                               transmitted_bytes=9, signal=-52, transmit_retries=10, transmit_failed=0,
                               beacon_loss=1)


def test_wifi_without_nl80211_is_no_data(tmp_path):
    if netlink.genl_family("nl80211") is not None:
        pytest.skip("this kernel has nl80211")
    with pytest.raises(NoDataError, match="nl80211"):
        list(make(WifiCollector, tmp_path).update())
