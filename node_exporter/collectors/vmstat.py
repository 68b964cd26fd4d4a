"""node_vmstat_*: selected fields of /proc/vmstat."""

from __future__ import annotations

from exporter_toolkit.families import untyped
from node_exporter.collector import Collector, Context, register
from node_exporter.options import FieldSelector, regex
from node_exporter.paths import read_text

DEFAULT_FIELDS = r"^(oom_kill|pgpg|pswp|pg.*fault).*"


@register
class VmstatCollector(Collector):
    name = "vmstat"
    FIELDS = regex("--collector.vmstat.fields", "vmstat_fields", DEFAULT_FIELDS,
                   "Regexp of fields to return for vmstat collector.")

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._wanted = FieldSelector(self.FIELDS.read(ctx.options))

    def update(self):
        for line in read_text(self.paths.proc("vmstat")).splitlines():
            name, _, value = line.partition(" ")
            if self._wanted(name):
                # the names come from the data: every field of /proc/vmstat the --collector.vmstat.fields regexp picks
                yield untyped(f"node_vmstat_{name}", f"/proc/vmstat information field {name}.", value=float(value))
