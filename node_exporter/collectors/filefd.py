"""node_filefd_allocated and node_filefd_maximum from /proc/sys/fs/file-nr."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text


@register
class FilefdCollector(Collector):
    name = "filefd"

    def update(self):
        parts = read_text(self.paths.proc("sys", "fs", "file-nr")).split()
        if len(parts) != 3:
            raise ValueError(f"unexpected file-nr content: {' '.join(parts)!r}")
        yield gauge("node_filefd_allocated", "File descriptor statistics: allocated.",
                                value=float(parts[0]))
        yield gauge("node_filefd_maximum", "File descriptor statistics: maximum.", value=float(parts[2]))
