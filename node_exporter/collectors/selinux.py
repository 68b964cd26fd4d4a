"""node_selinux_*: whether SELinux is on and its modes, from selinuxfs (<sysfs>/fs/selinux) and
/etc/selinux/config under the rootfs (what Go's libselinux binding reads)."""

from __future__ import annotations

import os
import re

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text

CONFIG_MODE = re.compile(r"^\s*SELINUX\s*=\s*(\S+)", re.MULTILINE)
MODES = {"enforcing": 1, "permissive": 0}
DISABLED = -1


@register
class SelinuxCollector(Collector):
    name = "selinux"

    def _config_mode(self) -> int:
        try:
            text = read_text(self.paths.root("/etc/selinux/config"))
        except OSError:
            return DISABLED
        match = CONFIG_MODE.search(text)
        return MODES.get(match.group(1).strip("\"'").lower(), DISABLED) if match else DISABLED

    def update(self):
        enforce = self.paths.sys("fs", "selinux", "enforce")
        if not os.path.exists(enforce):
            yield gauge("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", value=0)
            return
        yield gauge("node_selinux_config_mode", "Configured SELinux enforcement mode", value=self._config_mode())
        yield gauge("node_selinux_current_mode", "Current SELinux enforcement mode",
                    value=1 if read_text(enforce).strip() == "1" else 0)
        yield gauge("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", value=1)
