"""node_drm_*: AMD GPUs (the amdgpu driver) from /sys/class/drm/card[0-9]/device/.

Go 1.5 lists every card0..card9 (connectors such as card0-DP-1 excluded) labelled vendor="amd", whatever its
driver; only a card whose device/uevent says DRIVER=amdgpu has its attributes read, the others report zeros and
empty labels, as does a missing attribute.
"""

from __future__ import annotations

import glob
import os
import re

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_opt_text, read_text

AMDGPU = re.compile("DRIVER=amdgpu")

# (attribute of card/device, metric, HELP)
GAUGES = (
    ("gpu_busy_percent", "node_drm_gpu_busy_percent", "How busy the GPU is as a percentage."),
    ("mem_info_gtt_total", "node_drm_memory_gtt_size_bytes",
     "The size of the graphics translation table (GTT) block in bytes."),
    ("mem_info_gtt_used", "node_drm_memory_gtt_used_bytes",
     "The used amount of the graphics translation table (GTT) block in bytes."),
    ("mem_info_vis_vram_total", "node_drm_memory_vis_vram_size_bytes", "The size of visible VRAM in bytes."),
    ("mem_info_vis_vram_used", "node_drm_memory_vis_vram_used_bytes",
     "The used amount of visible VRAM in bytes."),
    ("mem_info_vram_total", "node_drm_memory_vram_size_bytes", "The size of VRAM in bytes."),
    ("mem_info_vram_used", "node_drm_memory_vram_used_bytes", "The used amount of VRAM in bytes."),
)


def cards(root: str) -> list[str]:
    return sorted(glob.glob(os.path.join(glob.escape(root), "card[0-9]")))


def _number(text: str | None) -> float:
    try:
        return float(int(text)) if text else 0.0
    except ValueError:
        return 0.0


@register
class DrmCollector(Collector):
    name = "drm"
    enabled_by_default = False

    def update(self):
        info = gauge("node_drm_card_info", "Card information",
                     ["card", "memory_vendor", "power_performance_level", "unique_id", "vendor"])
        families = [(attribute, gauge(name, help_text, ["card"])) for attribute, name, help_text in GAUGES]
        for card in cards(self.paths.sys("class", "drm")):
            device = os.path.join(card, "device")
            name = os.path.basename(card)

            amdgpu = AMDGPU.search(read_text(os.path.join(device, "uevent"))) is not None

            def attr(attribute: str, device: str = device, amdgpu: bool = amdgpu) -> str:
                return (read_opt_text(os.path.join(device, attribute)) or "") if amdgpu else ""

            info.add_metric([name, attr("mem_info_vram_vendor"), attr("power_dpm_force_performance_level"),
                             attr("unique_id"), "amd"], 1.0)
            for attribute, family in families:
                family.add_metric([name], _number(attr(attribute)))
        yield from (family for family in (info, *(f for _, f in families)) if family.rows)
