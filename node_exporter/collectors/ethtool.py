"""node_ethtool_* and node_network_* link modes: driver info, NIC statistics and link settings through the
SIOCETHTOOL ioctl (ETHTOOL_GDRVINFO, ETHTOOL_GSTRINGS + ETHTOOL_GSTATS, ETHTOOL_GSET), stdlib only.

Statistic names become metric names as in Go 1.5: sanitised, lower-cased, rx/tx words spelled received /
transmitted; names that collide after that are all dropped. A device without ethtool support is skipped.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import logging
import os
import re
import socket
import struct

from exporter_toolkit.families import gauge, untyped
from node_exporter.collector import Collector, Context, NoDataError, register
from node_exporter.lazy_families import LazyFamilies
from node_exporter.options import device_filter, device_filter_options, regex

log = logging.getLogger(__name__)

SIOCETHTOOL = 0x8946
ETHTOOL_GSET, ETHTOOL_GDRVINFO, ETHTOOL_GSTRINGS, ETHTOOL_GSTATS = 0x01, 0x03, 0x1B, 0x1D
ETH_SS_STATS = 1
ETH_GSTRING_LEN = 32
DRVINFO = struct.Struct("=I32s32s32s32s32s12sIIIII")  # cmd, driver, version, fw, bus, erom, reserved, counts
ETHTOOL_CMD = struct.Struct("=IIIHBBBBBBIIHBBI8x")  # cmd, supported, advertising, speed, ..., autoneg at index 8
IFREQ = struct.Struct("16sP16x")  # native: ifr_name, ifr_data pointer (the union is 24 bytes on 64-bit)

# Stats Go 1.5 names itself (the others are named from the statistic).
KNOWN_STATS = {
    "rx_bytes": ("node_ethtool_received_bytes_total", "Network interface bytes received"),
    "rx_dropped": ("node_ethtool_received_dropped_total", "Number of received frames dropped"),
    "rx_errors": ("node_ethtool_received_errors_total", "Number of received frames with errors"),
    "rx_packets": ("node_ethtool_received_packets_total", "Network interface packets received"),
    "tx_bytes": ("node_ethtool_transmitted_bytes_total", "Network interface bytes sent"),
    "tx_errors": ("node_ethtool_transmitted_errors_total", "Number of sent frames with errors"),
    "tx_packets": ("node_ethtool_transmitted_packets_total", "Network interface packets sent"),
}
# ETHTOOL_LINK_MODE_* bits of the 32-bit legacy masks: speed modes (speed Mb/s, duplex, PHY) and the rest.
SPEED_MODES = {0: (10, "half", "T"), 1: (10, "full", "T"), 2: (100, "half", "T"), 3: (100, "full", "T"),
               4: (1000, "half", "T"), 5: (1000, "full", "T"), 12: (10000, "full", "T"), 17: (1000, "full", "KX"),
               18: (10000, "full", "KX4"), 19: (10000, "full", "KR"), 20: (10000, "full", "R_FEC"),
               21: (20000, "full", "MLD2"), 22: (20000, "full", "KR2"), 23: (40000, "full", "KR4"),
               24: (40000, "full", "CR4"), 25: (40000, "full", "SR4"), 26: (40000, "full", "LR4"),
               27: (56000, "full", "KR4"), 28: (56000, "full", "CR4"), 29: (56000, "full", "SR4"),
               30: (56000, "full", "LR4"), 31: (25000, "full", "CR")}
PORT_TYPES = {"TP": 7, "AUI": 8, "MII": 9, "FIBRE": 10, "BNC": 11, "Backplane": 16}
AUTONEG_BIT, PAUSE_BIT, ASYM_PAUSE_BIT = 6, 13, 14

_UNSAFE = re.compile(r"_*[^0-9A-Za-z_]+_*")
_RX = re.compile(r"(^|_)rx(_|$)")
_TX = re.compile(r"(^|_)tx(_|$)")


def metric_name(stat: str) -> str:
    """Go's buildEthtoolFQName: 'tx_queue_0_bytes' -> 'node_ethtool_transmitted_queue_0_bytes'."""
    name = _UNSAFE.sub("_", stat).lower().lstrip("_")
    name = _RX.sub(r"\1received\2", name)
    name = _TX.sub(r"\1transmitted\2", name)
    return "node_ethtool_" + name  # the names come from the data: the driver's statistics


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


class Ethtool:
    """The three ethtool queries the collector makes, each one SIOCETHTOOL ioctl on a datagram socket."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def _ioctl(self, device: str, buffer: ctypes.Array) -> None:
        request = IFREQ.pack(device.encode()[:15], ctypes.addressof(buffer))
        fcntl.ioctl(self.sock.fileno(), SIOCETHTOOL, request)

    def driver_info(self, device: str) -> dict[str, str | int]:
        buffer = ctypes.create_string_buffer(DRVINFO.pack(ETHTOOL_GDRVINFO, *([b""] * 6), 0, 0, 0, 0, 0))
        self._ioctl(device, buffer)
        _, driver, version, firmware, bus, erom, _, _, n_stats, _, _, _ = DRVINFO.unpack_from(buffer.raw)
        return {"driver": _text(driver), "version": _text(version), "firmware_version": _text(firmware),
                "bus_info": _text(bus), "expansion_rom_version": _text(erom), "n_stats": n_stats}

    def stats(self, device: str) -> dict[str, int]:
        count = int(self.driver_info(device)["n_stats"])
        if count == 0:
            return {}
        strings = ctypes.create_string_buffer(struct.pack("=III", ETHTOOL_GSTRINGS, ETH_SS_STATS, count)
                                              + b"\0" * (count * ETH_GSTRING_LEN))
        self._ioctl(device, strings)
        values = ctypes.create_string_buffer(struct.pack("=II", ETHTOOL_GSTATS, count) + b"\0" * (count * 8))
        self._ioctl(device, values)
        names = [_text(strings.raw[12 + i * ETH_GSTRING_LEN:12 + (i + 1) * ETH_GSTRING_LEN]) for i in range(count)]
        numbers = struct.unpack_from(f"={count}Q", values.raw, 8)
        return dict(zip(names, numbers, strict=True))

    def link_info(self, device: str) -> tuple[int, int, int]:
        """(supported, advertising, autoneg) from the legacy ETHTOOL_GSET."""
        buffer = ctypes.create_string_buffer(struct.pack("=I", ETHTOOL_GSET) + b"\0" * (ETHTOOL_CMD.size - 4))
        self._ioctl(device, buffer)
        fields = ETHTOOL_CMD.unpack_from(buffer.raw)
        return fields[1], fields[2], fields[8]


@register
class EthtoolCollector(Collector):
    name = "ethtool"
    enabled_by_default = False
    DEVICE_INCLUDE, DEVICE_EXCLUDE = device_filter_options("ethtool", "ethtool devices")
    METRICS_INCLUDE = regex("--collector.ethtool.metrics-include", "ethtool_metrics_include", ".*",
                            "Regexp of ethtool stats to include.")

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.ignored = device_filter(ctx.options, self.DEVICE_INCLUDE, self.DEVICE_EXCLUDE)
        self.metrics = self.METRICS_INCLUDE.read(ctx.options)
        self.ethtool = Ethtool()

    def _devices(self) -> list[str]:
        root = self.paths.sys("class", "net")
        try:
            entries = sorted(os.scandir(root), key=lambda entry: entry.name)
        except (FileNotFoundError, PermissionError) as exc:
            raise NoDataError(f"Could not read netclass file: {exc}") from exc
        devices = [entry.name for entry in entries if not entry.is_file(follow_symlinks=False)]
        if not devices:
            raise RuntimeError("no network devices found")
        return devices

    def _link_modes(self, out: LazyFamilies, prefix: str, device: str, modes: int) -> None:
        speed_help = {"supported": "Combination of speeds and features supported by network device",
                      "advertised": "Combination of speeds and features offered by network device"}[prefix]
        speed_name = {"supported": "node_network_supported_speed_bytes",
                      "advertised": "node_network_advertised_speed_bytes"}[prefix]
        for bit, (speed, duplex, phy) in SPEED_MODES.items():
            if modes & (1 << bit):
                out.get(speed_name, speed_help, ["device", "duplex", "mode"]).add_metric(
                    [device, duplex, f"{speed}base{phy}"], speed * 1000 * 1000 / 8)

    def _capabilities(self, out: LazyFamilies, prefix: str, device: str, modes: int) -> None:
        if prefix == "supported":
            rows = (("node_network_autonegotiate_supported", "If this port device supports autonegotiate",
                     AUTONEG_BIT),
                    ("node_network_pause_supported", "If this port device supports pause frames", PAUSE_BIT),
                    ("node_network_asymmetricpause_supported", "If this port device supports asymmetric pause frames",
                     ASYM_PAUSE_BIT))
        else:
            rows = (("node_network_autonegotiate_advertised", "If this port device offers autonegotiate",
                     AUTONEG_BIT),
                    ("node_network_pause_advertised", "If this port device offers pause capability", PAUSE_BIT),
                    ("node_network_asymmetricpause_advertised",
                     "If this port device offers asymmetric pause capability", ASYM_PAUSE_BIT))
        for name, help_text, bit in rows:
            out.get(name, help_text, ["device"]).add_metric([device], 1.0 if modes & (1 << bit) else 0.0)

    def update(self):
        out = LazyFamilies()
        info = gauge("node_ethtool_info", "A metric with a constant '1' value labeled by bus_info, device, driver, "
                     "expansion_rom_version, firmware_version, version.",
                     ["bus_info", "device", "driver", "expansion_rom_version", "firmware_version", "version"])
        for device in self._devices():
            if self.ignored(device):
                continue
            try:
                supported, advertising, autoneg = self.ethtool.link_info(device)
            except OSError as exc:
                level = logging.DEBUG if exc.errno == errno.EOPNOTSUPP else logging.ERROR
                log.log(level, "ethtool get link info failed", extra={"device": device, "err": str(exc)})
            else:
                self._link_modes(out, "supported", device, supported)
                for port, bit in PORT_TYPES.items():
                    if supported & (1 << bit):
                        out.get("node_network_supported_port_info", "Type of ports or PHYs supported by network device",
                                ["device", "type"]).add_metric([device, port], 1.0)
                self._capabilities(out, "supported", device, supported)
                self._link_modes(out, "advertised", device, advertising)
                self._capabilities(out, "advertised", device, advertising)
                out.get("node_network_autonegotiate", "If this port is using autonegotiate",
                        ["device"]).add_metric([device], float(autoneg))
            try:
                driver = self.ethtool.driver_info(device)
            except OSError as exc:
                level = logging.DEBUG if exc.errno == errno.EOPNOTSUPP else logging.ERROR
                log.log(level, "ethtool driver info failed", extra={"device": device, "err": str(exc)})
            else:
                info.add_metric([str(driver["bus_info"]), device, str(driver["driver"]),
                                 str(driver["expansion_rom_version"]), str(driver["firmware_version"]),
                                 str(driver["version"])], 1.0)
            try:
                stats = self.ethtool.stats(device)
            except OSError as exc:
                level = logging.DEBUG if exc.errno == errno.EOPNOTSUPP else logging.ERROR
                log.log(level, "ethtool stats failed", extra={"device": device, "err": str(exc)})
                continue
            self._stats(out, device, stats)
        yield from ([info] if info.rows else [])
        yield from out.by_name.values()

    def _stats(self, out: LazyFamilies, device: str, stats: dict[str, int]) -> None:
        chosen: dict[str, str] = {}
        for stat in stats:
            if not self.metrics.search(stat):
                continue
            name = metric_name(stat)
            # Names that collide after sanitising are all dropped ("" marks a clash, as in Go).
            chosen[name] = "" if name in chosen else stat
        for name in sorted(chosen):
            stat = chosen[name]
            if not stat:
                continue
            family_name, help_text = KNOWN_STATS.get(stat, (name, f"Network interface {stat}"))
            out.get(family_name, help_text, ["device"], untyped).add_metric([device], float(stats[stat]))
