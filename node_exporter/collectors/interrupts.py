"""node_interrupts_total: interrupt counts per CPU, IRQ and device from /proc/interrupts."""

from __future__ import annotations

from exporter_toolkit.families import counter
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text


def parse_interrupts(text: str) -> list[tuple[str, str, str, list[str]]]:
    """Rows of (irq, info, devices, per-CPU counts). Lines without a count per CPU (ERR, MIS) are skipped."""
    lines = text.splitlines()
    if not lines:
        raise ValueError("/proc/interrupts is empty")
    cpus = len(lines[0].split())
    rows = []
    for line in lines[1:]:
        parts = line.split()
        if len(parts) < cpus + 2:
            continue
        irq = parts[0].rstrip(":")
        counts = parts[1:cpus + 1]
        if irq.isdigit():
            info, devices = parts[cpus + 1], " ".join(parts[cpus + 2:])
        else:
            info, devices = " ".join(parts[cpus + 1:]), ""
        rows.append((irq, info, devices, counts))
    return rows


@register
class InterruptsCollector(Collector):
    name = "interrupts"
    enabled_by_default = False

    def update(self):
        family = counter("node_interrupts_total", "Interrupt details.", labels=["cpu", "type", "info", "devices"])
        for irq, info, devices, counts in parse_interrupts(read_text(self.paths.proc("interrupts"))):
            for cpu, value in enumerate(counts):
                family.add_metric([str(cpu), irq, info, devices], float(value))
        if family.rows:
            yield family
