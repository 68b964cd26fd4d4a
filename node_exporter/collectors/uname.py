"""node_uname_info: what uname(2) says, read from /proc/sys/kernel (the same UTS namespace data)."""

from __future__ import annotations

import os

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text

LABELS = ["sysname", "release", "version", "machine", "nodename", "domainname"]


@register
class UnameCollector(Collector):
    name = "uname"

    def _kernel(self, name: str, fallback: str) -> str:
        try:
            return read_text(self.paths.proc("sys", "kernel", name)).strip()
        except OSError:
            return fallback

    def update(self):
        uts = os.uname()
        values = [
            self._kernel("ostype", uts.sysname),
            self._kernel("osrelease", uts.release),
            self._kernel("version", uts.version),
            self._kernel("arch", uts.machine),
            self._kernel("hostname", uts.nodename),
            self._kernel("domainname", "(none)"),
        ]
        info = gauge("node_uname_info",
                                 "Labeled system information as provided by the uname system call.", labels=LABELS)
        info.add_metric(values, 1.0)
        yield info
