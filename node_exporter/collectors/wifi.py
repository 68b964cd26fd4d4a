"""node_wifi_*: WiFi interfaces, the BSS each is associated with, and its stations.

Production asks the kernel's nl80211 generic netlink family (what Go's mdlayher/wifi does); a host without
nl80211 has no data. With --collector.wifi.fixtures=DIR the same records come from Go's end-to-end test JSON
files: DIR/interfaces.json, DIR/<ifname>/bss.json and DIR/<ifname>/stationinfo.json.
"""

from __future__ import annotations

import base64
import errno
import json
import logging
import os
import struct
from dataclasses import dataclass

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import counter, gauge
from node_exporter import netlink
from node_exporter.collector import Collector, Context, NoDataError, register

log = logging.getLogger(__name__)

NL80211_CMD_GET_INTERFACE = 5
NL80211_CMD_GET_STATION = 17
NL80211_CMD_GET_SCAN = 32
NL80211_ATTR_IFINDEX = 3
NL80211_ATTR_IFNAME = 4
NL80211_ATTR_IFTYPE = 5
NL80211_ATTR_MAC = 6
NL80211_ATTR_STA_INFO = 21
NL80211_ATTR_WIPHY_FREQ = 38
NL80211_ATTR_BSS = 47
NL80211_BSS_BSSID = 1
NL80211_BSS_INFORMATION_ELEMENTS = 6
NL80211_BSS_STATUS = 9
NL80211_STA_INFO_INACTIVE_TIME = 1
NL80211_STA_INFO_RX_BYTES = 2
NL80211_STA_INFO_TX_BYTES = 3
NL80211_STA_INFO_SIGNAL = 7
NL80211_STA_INFO_TX_BITRATE = 8
NL80211_STA_INFO_RX_BITRATE = 14
NL80211_STA_INFO_TX_RETRIES = 11
NL80211_STA_INFO_TX_FAILED = 12
NL80211_STA_INFO_CONNECTED_TIME = 16
NL80211_STA_INFO_BEACON_LOSS = 18
NL80211_STA_INFO_RX_BYTES64 = 23
NL80211_STA_INFO_TX_BYTES64 = 24
NL80211_RATE_INFO_BITRATE = 1
NL80211_RATE_INFO_BITRATE32 = 5
# What an interface answers when it has no BSS or stations to report (not an error for the collector).
NOT_AVAILABLE = (errno.ENOENT, errno.ENODEV, errno.EOPNOTSUPP, errno.EINVAL, errno.ENOLINK)
BSS_MODES = {0: "client", 1: "client", 2: "ad-hoc"}  # authenticated, associated, IBSS joined


@dataclass
class Interface:
    index: int
    name: str
    frequency: int  # MHz


@dataclass
class Bss:
    ssid: str
    bssid: str
    status: int


@dataclass
class Station:
    mac: str
    connected_seconds: float
    inactive_seconds: float
    receive_bitrate: int
    transmit_bitrate: int
    received_bytes: int
    transmitted_bytes: int
    signal: int
    transmit_retries: int
    transmit_failed: int
    beacon_loss: int


def mac_text(raw: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in raw)


def _lower(record: dict) -> dict:
    """Go's encoding/json matches field names case-insensitively."""
    return {key.lower(): value for key, value in record.items()}


def _mac_json(value) -> str:
    return mac_text(base64.b64decode(value)) if value else ""  # Go marshals []byte as base64


class FixtureSource:
    """Go's mock wifi stater: the JSON files of its end-to-end test."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def _load(self, *parts: str):
        with open(os.path.join(self.directory, *parts), "rb") as handle:
            return json.load(handle)

    def interfaces(self) -> list[Interface]:
        return [Interface(int(r.get("index", 0)), r.get("name", ""), int(r.get("frequency", 0)))
                for r in map(_lower, self._load("interfaces.json") or ())]

    def bss(self, interface: Interface) -> Bss | None:
        try:
            record = _lower(self._load(interface.name, "bss.json"))
        except FileNotFoundError:
            return None
        return Bss(record.get("ssid", ""), _mac_json(record.get("bssid")), int(record.get("status", 0)))

    def stations(self, interface: Interface) -> list[Station] | None:
        try:
            records = self._load(interface.name, "stationinfo.json")
        except FileNotFoundError:
            return None
        stations = []
        for record in map(_lower, records or ()):
            stations.append(Station(
                mac=_mac_json(record.get("hardwareaddr")),
                connected_seconds=int(record.get("connected", 0)) / 1e9,  # time.Duration: nanoseconds
                inactive_seconds=int(record.get("inactive", 0)) / 1e9,
                receive_bitrate=int(record.get("receivebitrate", 0)),
                transmit_bitrate=int(record.get("transmitbitrate", 0)),
                received_bytes=int(record.get("receivedbytes", 0)),
                transmitted_bytes=int(record.get("transmittedbytes", 0)),
                signal=int(record.get("signal", 0)),
                transmit_retries=int(record.get("transmitretries", 0)),
                transmit_failed=int(record.get("transmitfailed", 0)),
                beacon_loss=int(record.get("beaconloss", 0)),
            ))
        return stations


def _u32(attrs: dict[int, bytes], kind: int) -> int:
    data = attrs.get(kind)
    return struct.unpack_from("=I", data)[0] if data and len(data) >= 4 else 0


def _bytes(attrs: dict[int, bytes], kind64: int, kind32: int) -> int:
    """A byte counter: the 64-bit attribute when the kernel sends it, else the 32-bit one."""
    data = attrs.get(kind64)
    return struct.unpack_from("=Q", data)[0] if data and len(data) >= 8 else _u32(attrs, kind32)


def _bitrate(data: bytes | None) -> int:
    """bits/s from a nested rate_info (the kernel counts in units of 100 kbit/s)."""
    rate = netlink.attributes(data or b"")
    if len(rate.get(NL80211_RATE_INFO_BITRATE32, b"")) >= 4:
        return struct.unpack_from("=I", rate[NL80211_RATE_INFO_BITRATE32])[0] * 100_000
    if len(rate.get(NL80211_RATE_INFO_BITRATE, b"")) >= 2:
        return struct.unpack_from("=H", rate[NL80211_RATE_INFO_BITRATE])[0] * 100_000
    return 0


def _ssid(elements: bytes) -> str:
    """The SSID information element (id 0) of a BSS's information elements."""
    offset = 0
    while offset + 2 <= len(elements):
        element, length = elements[offset], elements[offset + 1]
        if element == 0:
            return elements[offset + 2:offset + 2 + length].decode("utf-8", "replace")
        offset += 2 + length
    return ""


class NetlinkSource:
    """nl80211 over generic netlink."""

    def __init__(self, family: int) -> None:
        self.family = family

    def _dump(self, command: int, interface: Interface) -> list[dict[int, bytes]] | None:
        selector = netlink.attribute(NL80211_ATTR_IFINDEX, struct.pack("=I", interface.index))
        try:
            return list(netlink.genl_request(self.family, command, selector, dump=True))
        except OSError as exc:
            if exc.errno in NOT_AVAILABLE:
                return None
            raise

    def interfaces(self) -> list[Interface]:
        found = []
        for attrs in netlink.genl_request(self.family, NL80211_CMD_GET_INTERFACE, dump=True):
            name = attrs.get(NL80211_ATTR_IFNAME, b"").rstrip(b"\0").decode()
            found.append(Interface(_u32(attrs, NL80211_ATTR_IFINDEX), name, _u32(attrs, NL80211_ATTR_WIPHY_FREQ)))
        return found

    def bss(self, interface: Interface) -> Bss | None:
        for attrs in self._dump(NL80211_CMD_GET_SCAN, interface) or ():
            bss = netlink.attributes(attrs.get(NL80211_ATTR_BSS, b""))
            if NL80211_BSS_STATUS not in bss:  # only the BSS this interface is joined to carries a status
                continue
            return Bss(_ssid(bss.get(NL80211_BSS_INFORMATION_ELEMENTS, b"")),
                       mac_text(bss.get(NL80211_BSS_BSSID, b"")), _u32(bss, NL80211_BSS_STATUS))
        return None

    def stations(self, interface: Interface) -> list[Station] | None:
        answers = self._dump(NL80211_CMD_GET_STATION, interface)
        if answers is None:
            return None
        stations = []
        for attrs in answers:
            info = netlink.attributes(attrs.get(NL80211_ATTR_STA_INFO, b""))
            received = _bytes(info, NL80211_STA_INFO_RX_BYTES64, NL80211_STA_INFO_RX_BYTES)
            sent = _bytes(info, NL80211_STA_INFO_TX_BYTES64, NL80211_STA_INFO_TX_BYTES)
            signal = info.get(NL80211_STA_INFO_SIGNAL, b"\0")
            stations.append(Station(
                mac=mac_text(attrs.get(NL80211_ATTR_MAC, b"")),
                connected_seconds=float(_u32(info, NL80211_STA_INFO_CONNECTED_TIME)),
                inactive_seconds=_u32(info, NL80211_STA_INFO_INACTIVE_TIME) / 1000.0,
                receive_bitrate=_bitrate(info.get(NL80211_STA_INFO_RX_BITRATE)),
                transmit_bitrate=_bitrate(info.get(NL80211_STA_INFO_TX_BITRATE)),
                received_bytes=received,
                transmitted_bytes=sent,
                signal=struct.unpack_from("=b", signal)[0],
                transmit_retries=_u32(info, NL80211_STA_INFO_TX_RETRIES),
                transmit_failed=_u32(info, NL80211_STA_INFO_TX_FAILED),
                beacon_loss=_u32(info, NL80211_STA_INFO_BEACON_LOSS),
            ))
        return stations


@register
class WifiCollector(Collector):
    name = "wifi"
    enabled_by_default = False
    FIXTURES = Option("--collector.wifi.fixtures", "wifi_fixtures", "",
                      help="test fixtures to use for wifi collector metrics")

    def __init__(self, ctx: Context) -> None:
        self.fixtures = self.FIXTURES.read(ctx.options)

    def _source(self):
        if self.fixtures:
            return FixtureSource(self.fixtures)
        try:
            family = netlink.genl_family("nl80211")
        except PermissionError as exc:
            raise NoDataError("wifi collector got permission denied when accessing metrics") from exc
        if family is None:
            raise NoDataError("wifi collector metrics are not available for this system (no nl80211)")
        return NetlinkSource(family)

    def update(self):
        source = self._source()
        frequency = gauge("node_wifi_interface_frequency_hertz",
                          "The current frequency a WiFi interface is operating at, in hertz.", ["device"])
        info = gauge("node_wifi_station_info",
                     "Labeled WiFi interface station information as provided by the operating system.",
                     ["device", "bssid", "ssid", "mode"])
        labels = ["device", "mac_address"]
        per_station = (
            ("connected_seconds", counter("node_wifi_station_connected_seconds_total",
                                          "The total number of seconds a station has been connected to an access "
                                          "point.", labels)),
            ("inactive_seconds", gauge("node_wifi_station_inactive_seconds",
                                       "The number of seconds since any wireless activity has occurred on a station.",
                                       labels)),
            ("receive_bitrate", gauge("node_wifi_station_receive_bits_per_second",
                                      "The current WiFi receive bitrate of a station, in bits per second.", labels)),
            ("transmit_bitrate", gauge("node_wifi_station_transmit_bits_per_second",
                                       "The current WiFi transmit bitrate of a station, in bits per second.", labels)),
            ("received_bytes", counter("node_wifi_station_receive_bytes_total",
                                       "The total number of bytes received by a WiFi station.", labels)),
            ("transmitted_bytes", counter("node_wifi_station_transmit_bytes_total",
                                          "The total number of bytes transmitted by a WiFi station.", labels)),
            ("signal", gauge("node_wifi_station_signal_dbm",
                             "The current WiFi signal strength, in decibel-milliwatts (dBm).", labels)),
            ("transmit_retries", counter("node_wifi_station_transmit_retries_total",
                                         "The total number of times a station has had to retry while sending a "
                                         "packet.", labels)),
            ("transmit_failed", counter("node_wifi_station_transmit_failed_total",
                                        "The total number of times a station has failed to send a packet.", labels)),
            ("beacon_loss", counter("node_wifi_station_beacon_loss_total",
                                    "The total number of times a station has detected a beacon loss.", labels)),
        )
        for interface in source.interfaces():
            if not interface.name:  # virtual devices without a name
                continue
            frequency.add_metric([interface.name], interface.frequency * 1e6)
            bss = source.bss(interface)
            if bss is None:
                log.debug("BSS information not found for wifi device %s", interface.name)
            else:
                info.add_metric([interface.name, bss.bssid, bss.ssid, BSS_MODES.get(bss.status, "unknown")], 1.0)
            for station in source.stations(interface) or ():
                for attribute, family in per_station:
                    family.add_metric([interface.name, station.mac], float(getattr(station, attribute)))
        yield from (family for family in (frequency, info, *(f for _, f in per_station)) if family.rows)
