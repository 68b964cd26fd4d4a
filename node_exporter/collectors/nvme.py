"""node_nvme_info: identity and state of each NVMe controller in /sys/class/nvme."""

from __future__ import annotations

import os

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_text


@register
class NvmeCollector(Collector):
    name = "nvme"

    def update(self):
        root = self.paths.sys("class", "nvme")
        try:
            devices = sorted(os.listdir(root))
        except FileNotFoundError as exc:
            raise NoDataError("nvme class not found") from exc
        info = gauge("node_nvme_info", "Non-numeric data from /sys/class/nvme/<device>, value is always 1.",
                     ["device", "firmware_revision", "model", "serial", "state"])
        for device in devices:
            directory = os.path.join(root, device)

            def attr(name: str, directory: str = directory) -> str:
                return read_text(os.path.join(directory, name)).strip()

            info.add_metric([device, attr("firmware_rev"), attr("model"), attr("serial"), attr("state")], 1.0)
        if info.rows:
            yield info
