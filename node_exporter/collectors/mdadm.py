"""node_md_*: software RAID (md) arrays from /proc/mdstat: state, disks, blocks and sync progress."""

from __future__ import annotations

import re
from dataclasses import dataclass

from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_text

STATUS_LINE = re.compile(r"(\d+) blocks .*\[(\d+)/(\d+)\] \[([U_]+)\]")
RECOVERY_BLOCKS = re.compile(r"\((\d+)/\d+\)")
# node_md_state's label -> the activity state that sets it to 1.
STATES = (("active", "active"), ("inactive", "inactive"), ("recovering", "recovering"), ("resync", "resyncing"),
          ("check", "checking"))


@dataclass(frozen=True)
class MDStat:
    name: str
    state: str
    disks_active: int
    disks_total: int
    disks_failed: int
    disks_spare: int
    blocks_total: int
    blocks_synced: int


def _status(device_line: str, status_line: str) -> tuple[int, int, int]:
    """(active disks, required disks, blocks) as the kernel's status line shows them."""
    fields = status_line.split()
    if not fields:
        raise ValueError(f"unexpected status line {status_line!r}")
    size = int(fields[0])
    if "raid0" in device_line or "linear" in device_line:
        total = device_line.count("[")  # only member disks carry a [n] on the device line
        return total, total, size
    if "inactive" in device_line:
        return 0, 0, size
    match = STATUS_LINE.search(status_line)
    if match is None:
        raise ValueError(f"could not parse md status line {status_line!r}")
    return int(match.group(3)), int(match.group(2)), size


def parse_mdstat(text: str) -> list[MDStat]:
    lines = text.split("\n")
    arrays = []
    for index, line in enumerate(lines):
        if not line.strip() or line[0] == " " or line.startswith(("Personalities", "unused")):
            continue
        fields = line.split()
        if len(fields) < 3:
            raise ValueError(f"not enough fields in md line: {line!r}")
        name, state = fields[0], fields[2]
        if len(lines) <= index + 3:
            raise ValueError(f"too few lines for md device {name}")
        active, total, size = _status(line, lines[index + 1])
        sync_line = lines[index + 3] if "bitmap" in lines[index + 2] else lines[index + 2]
        synced = size
        recovering, resyncing, checking = "recovery" in sync_line, "resync" in sync_line, "check" in sync_line
        if recovering or resyncing or checking:
            state = "recovering" if recovering else "checking" if checking else "resyncing"
            if "PENDING" in sync_line or "DELAYED" in sync_line:
                synced = 0
            else:
                match = RECOVERY_BLOCKS.search(sync_line)
                if match is None:
                    raise ValueError(f"could not parse md recovery line {sync_line!r}")
                synced = int(match.group(1))
        arrays.append(MDStat(name, state, active, total, line.count("(F)"), line.count("(S)"), size, synced))
    return arrays


@register
class MdadmCollector(Collector):
    name = "mdadm"

    def update(self):
        try:
            text = read_text(self.paths.proc("mdstat"))
        except FileNotFoundError as exc:
            raise NoDataError(f"not collecting mdstat, file does not exist: {exc.filename}") from exc
        required = gauge("node_md_disks_required", "Total number of disks of device.", labels=["device"])
        disks = gauge("node_md_disks", "Number of active/failed/spare disks of device.", labels=["device", "state"])
        states = gauge("node_md_state", "Indicates the state of md-device.", labels=["device", "state"])
        blocks = gauge("node_md_blocks", "Total number of blocks on device.", labels=["device"])
        synced = gauge("node_md_blocks_synced", "Number of blocks synced on device.", labels=["device"])
        for md in parse_mdstat(text):
            required.add_metric([md.name], float(md.disks_total))
            disks.add_metric([md.name, "active"], float(md.disks_active))
            disks.add_metric([md.name, "failed"], float(md.disks_failed))
            disks.add_metric([md.name, "spare"], float(md.disks_spare))
            for label, state in STATES:
                states.add_metric([md.name, label], 1.0 if md.state == state else 0.0)
            blocks.add_metric([md.name], float(md.blocks_total))
            synced.add_metric([md.name], float(md.blocks_synced))
        yield from (family for family in (required, disks, states, blocks, synced) if family.rows)
