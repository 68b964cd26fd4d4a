"""node_dmi_info: the machine's DMI (SMBIOS) identity from /sys/class/dmi/id as labels."""

from __future__ import annotations

import os

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_opt_text

# label -> sysfs file; a label is present only when its file could be read (serials need root), as in Go.
FIELDS = (
    ("bios_date", "bios_date"), ("bios_release", "bios_release"), ("bios_vendor", "bios_vendor"),
    ("bios_version", "bios_version"), ("board_asset_tag", "board_asset_tag"), ("board_name", "board_name"),
    ("board_serial", "board_serial"), ("board_vendor", "board_vendor"), ("board_version", "board_version"),
    ("chassis_asset_tag", "chassis_asset_tag"), ("chassis_serial", "chassis_serial"),
    ("chassis_vendor", "chassis_vendor"), ("chassis_version", "chassis_version"),
    ("product_family", "product_family"), ("product_name", "product_name"), ("product_serial", "product_serial"),
    ("product_sku", "product_sku"), ("product_uuid", "product_uuid"), ("product_version", "product_version"),
    ("system_vendor", "sys_vendor"),
)
HELP = ("A metric with a constant '1' value labeled by " + ", ".join(label for label, _ in FIELDS)
        + " if provided by DMI.")


@register
class DmiCollector(Collector):
    name = "dmi"

    def update(self):
        directory = self.paths.sys("class", "dmi", "id")
        if not os.path.isdir(directory):
            raise NoDataError("platform does not support Desktop Management Interface (DMI) information")
        labels, values = [], []
        for label, name in FIELDS:
            value = read_opt_text(os.path.join(directory, name))
            if value is not None:
                labels.append(label)
                values.append(value)
        if not labels:
            raise NoDataError("no DMI information readable")
        info = gauge("node_dmi_info", HELP, labels=labels)
        info.add_metric(values, 1.0)
        yield info
