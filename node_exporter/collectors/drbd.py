"""node_drbd_*: DRBD (8.x) device statistics and states from /proc/drbd."""

from __future__ import annotations

import logging

from exporter_toolkit.families import Family, counter, gauge
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_text

log = logging.getLogger(__name__)

# /proc/drbd field -> (family factory, metric, HELP, multiplier); sizes are in KiB except 'nr', as Go has it.
NUMERICAL = {
    "ns": (counter, "node_drbd_network_sent_bytes_total", "Total number of bytes sent via the network.", 1024),
    "nr": (counter, "node_drbd_network_received_bytes_total", "Total number of bytes received via the network.", 1),
    "dw": (counter, "node_drbd_disk_written_bytes_total", "Net data written on local hard disk; in bytes.", 1024),
    "dr": (counter, "node_drbd_disk_read_bytes_total", "Net data read from local hard disk; in bytes.", 1024),
    "al": (counter, "node_drbd_activitylog_writes_total",
           "Number of updates of the activity log area of the meta data.", 1),
    "bm": (counter, "node_drbd_bitmap_writes_total", "Number of updates of the bitmap area of the meta data.", 1),
    "lo": (gauge, "node_drbd_local_pending", "Number of open requests to the local I/O sub-system.", 1),
    "pe": (gauge, "node_drbd_remote_pending",
           "Number of requests sent to the peer, but that have not yet been answered by the latter.", 1),
    "ua": (gauge, "node_drbd_remote_unacknowledged",
           "Number of requests received by the peer via the network connection, but that have not yet been "
           "answered.", 1),
    "ap": (gauge, "node_drbd_application_pending",
           "Number of block I/O requests forwarded to DRBD, but not yet answered by DRBD.", 1),
    "ep": (gauge, "node_drbd_epochs", "Number of Epochs currently on the fly.", 1),
    "oos": (gauge, "node_drbd_out_of_sync_bytes", "Amount of data known to be out of sync; in bytes.", 1024),
}
# local/remote pairs: field -> (metric, HELP, the value meaning 1)
PAIRS = {
    "ro": ("node_drbd_node_role_is_primary", "Whether the role of the node is in the primary state.", "Primary"),
    "ds": ("node_drbd_disk_state_is_up_to_date", "Whether the disk of the node is up to date.", "UpToDate"),
}


@register
class DrbdCollector(Collector):
    name = "drbd"
    enabled_by_default = False

    def update(self):
        try:
            text = read_text(self.paths.proc("drbd"))
        except FileNotFoundError as exc:
            raise NoDataError("/proc/drbd does not exist, drbd is not loaded") from exc
        families: dict[str, Family] = {}

        def family(key: str, factory, name: str, help_text: str, labels: list[str]) -> Family:
            if key not in families:
                families[key] = factory(name, help_text, labels=labels)
            return families[key]

        device = "unknown"
        for field in text.split():
            key, sep, value = field.partition(":")
            if not sep:
                continue
            if value == "" and key.isdigit():
                device = f"drbd{key}"
            elif key in NUMERICAL:
                factory, name, help_text, multiplier = NUMERICAL[key]
                family(key, factory, name, help_text, ["device"]).add_metric([device], float(int(value)) * multiplier)
            elif key in PAIRS:
                name, help_text, good = PAIRS[key]
                local, _, remote = value.partition("/")
                pair = family(key, gauge, name, help_text, ["device", "node"])
                pair.add_metric([device, "local"], 1.0 if local == good else 0.0)
                pair.add_metric([device, "remote"], 1.0 if remote == good else 0.0)
            elif key == "cs":
                family(key, gauge, "node_drbd_connected", "Whether DRBD is connected to the peer.",
                       ["device"]).add_metric([device], 1.0 if value == "Connected" else 0.0)
            else:
                log.debug("unhandled drbd field", extra={"field": key})
        yield from families.values()
