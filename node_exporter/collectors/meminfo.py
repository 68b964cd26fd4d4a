"""node_memory_*: every field of /proc/meminfo, kB fields in bytes with a _bytes suffix."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text


def parse_meminfo(text: str) -> dict[str, float]:
    """'Active(anon):  123 kB' -> {'Active_anon_bytes': 125952.0}; unitless fields keep their name."""
    values = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        key = parts[0].rstrip(":")
        if "(" in key:
            key = key.replace("(", "_").replace(")", "")
        value = float(parts[1])
        if len(parts) == 3:
            value *= 1024
            key += "_bytes"
        values[key] = value
    if not values:
        raise ValueError("no fields in meminfo")
    return values


@register
class MeminfoCollector(Collector):
    name = "meminfo"

    def update(self):
        for key, value in parse_meminfo(read_text(self.paths.proc("meminfo"))).items():
            # the names come from the data: every field this kernel's /proc/meminfo has
            yield gauge(f"node_memory_{key}", f"Memory information field {key}.", value=value)
