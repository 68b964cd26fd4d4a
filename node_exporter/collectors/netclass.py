"""node_network_* device properties from /sys/class/net/<device>: up, info, mtu, speed, carrier and the rest."""

from __future__ import annotations

import os

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, Context, register
from node_exporter.options import regex

# (sysfs attribute, metric, HELP, counter?) for the numeric properties, as the Go exporter names them.
PROPERTIES = (
    ("addr_assign_type", "node_network_address_assign_type", "Network device property: address_assign_type", False),
    ("carrier", "node_network_carrier", "Network device property: carrier", False),
    ("carrier_changes", "node_network_carrier_changes_total", "Network device property: carrier_changes_total", True),
    ("carrier_up_count", "node_network_carrier_up_changes_total",
     "Network device property: carrier_up_changes_total", True),
    ("carrier_down_count", "node_network_carrier_down_changes_total",
     "Network device property: carrier_down_changes_total", True),
    ("dev_id", "node_network_device_id", "Network device property: device_id", False),
    ("dormant", "node_network_dormant", "Network device property: dormant", False),
    ("flags", "node_network_flags", "Network device property: flags", False),
    ("ifindex", "node_network_iface_id", "Network device property: iface_id", False),
    ("iflink", "node_network_iface_link", "Network device property: iface_link", False),
    ("link_mode", "node_network_iface_link_mode", "Network device property: iface_link_mode", False),
    ("mtu", "node_network_mtu_bytes", "Network device property: mtu_bytes", False),
    ("name_assign_type", "node_network_name_assign_type", "Network device property: name_assign_type", False),
    ("netdev_group", "node_network_net_dev_group", "Network device property: net_dev_group", False),
    ("speed", "node_network_speed_bytes", "Network device property: speed_bytes", False),
    ("tx_queue_len", "node_network_transmit_queue_length", "Network device property: transmit_queue_length", False),
    ("type", "node_network_protocol_type", "Network device property: protocol_type", False),
)
INFO_LABELS = ["address", "broadcast", "device", "duplex", "ifalias", "operstate"]


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)


def _read(directory: str, name: str) -> str | None:
    """An attribute's text, or None where the kernel refuses to answer (carrier of a down link: EINVAL).

    Hand-specialised: os.open/os.read instead of open(); about 23 attributes per device every scrape made this
    collector the most expensive of the default set, and the raw calls take a third of the time (benchmark)."""
    try:
        fd = os.open(f"{directory}/{name}", _READ_FLAGS)
    except OSError:
        return None
    try:
        return os.read(fd, 4096).decode("utf-8", "replace").strip()
    except OSError:
        return None
    finally:
        os.close(fd)


@register
class NetclassCollector(Collector):
    name = "netclass"
    IGNORED_DEVICES = regex("--collector.netclass.ignored-devices", "netclass_ignored_devices", "^$",
                            "Regexp of net devices to ignore for netclass collector.")
    IGNORE_INVALID_SPEED = Option("--collector.netclass.ignore-invalid-speed", "netclass_ignore_invalid_speed", False,
                                  help="Ignore devices where the speed is invalid. This will be the default "
                                  "behavior in 2.x.",
                                  is_flag=True)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.ignored = self.IGNORED_DEVICES.read(ctx.options)
        self.ignore_invalid_speed = bool(self.IGNORE_INVALID_SPEED.read(ctx.options))

    def update(self):
        root = self.paths.sys("class", "net")
        up = gauge("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", ["device"])
        info = gauge("node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.",
                     INFO_LABELS)
        families = [(attribute, (counter if is_counter else gauge)(name, help_text, ["device"]))
                    for attribute, name, help_text, is_counter in PROPERTIES]
        for device in sorted(os.listdir(root)):
            directory = os.path.join(root, device)
            if not os.path.isdir(directory) or self.ignored.search(device):
                continue
            operstate = _read(directory, "operstate") or ""
            up.add_metric([device], 1.0 if operstate == "up" else 0.0)
            info.add_metric([_read(directory, "address") or "", _read(directory, "broadcast") or "", device,
                             _read(directory, "duplex") or "", _read(directory, "ifalias") or "", operstate], 1.0)
            for attribute, family in families:
                text = _read(directory, attribute)
                if text is None or text == "":
                    continue
                try:
                    value = float(int(text, 0))
                except ValueError:
                    continue
                if attribute == "speed":
                    if value < 0 and self.ignore_invalid_speed:
                        continue
                    value = value * 1000 * 1000 / 8  # Mbit/s to bytes/s
                family.add_metric([device], value)
        yield from (family for _, family in families if family.rows)
        yield info
        yield up
