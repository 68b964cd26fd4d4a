"""node_tape_*: SCSI tape drive statistics from /sys/class/scsi_tape/st*/stats."""

from __future__ import annotations

import os
import re

from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, Context, NoDataError, register
from node_exporter.options import regex
from node_exporter.paths import read_int

# Each drive appears under several names (st0, st0a, nst0l, ...): only the plain stN node is counted.
TAPE_DEVICE = re.compile(r"^st[0-9]+$")
NANOSECONDS = 1e9


@register
class TapestatsCollector(Collector):
    name = "tapestats"
    IGNORED_DEVICES = regex("--collector.tapestats.ignored-devices", "tapestats_ignored_devices", "^$",
                            "Regexp of devices to ignore for tapestats.")

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.ignored = self.IGNORED_DEVICES.read(ctx.options)

    def update(self):
        root = self.paths.sys("class", "scsi_tape")
        try:
            names = sorted(os.listdir(root))
        except FileNotFoundError as exc:
            raise NoDataError("scsi_tape stats not found") from exc
        labels = ["device"]
        io_now = gauge("node_tape_io_now", "The number of I/Os currently outstanding to this device.", labels)
        io_time = counter("node_tape_io_time_seconds_total",
                          "The amount of time spent waiting for all I/O to complete (including read and write). "
                          "This includes tape movement commands such as seeking between file or set marks and "
                          "implicit tape movement such as when rewind on close tape devices are used.", labels)
        io_others = counter("node_tape_io_others_total",
                            "The number of I/Os issued to the tape drive other than read or write commands. The time "
                            "taken to complete these commands uses the following calculation "
                            "io_time_seconds_total-read_time_seconds_total-write_time_seconds_total", labels)
        read_bytes = counter("node_tape_read_bytes_total", "The number of bytes read from the tape drive.", labels)
        reads = counter("node_tape_reads_completed_total", "The number of read requests issued to the tape drive.",
                        labels)
        read_time = counter("node_tape_read_time_seconds_total",
                            "The amount of time spent waiting for read requests to complete.", labels)
        residual = counter("node_tape_residual_total",
                           "The number of times during a read or write we found the residual amount to be non-zero. "
                           "This should mean that a program is issuing a read larger thean the block size on tape. "
                           "For write not all data made it to tape.", labels)
        written = counter("node_tape_written_bytes_total", "The number of bytes written to the tape drive.", labels)
        writes = counter("node_tape_writes_completed_total",
                         "The number of write requests issued to the tape drive.", labels)
        write_time = counter("node_tape_write_time_seconds_total",
                             "The amount of time spent waiting for write requests to complete.", labels)
        for name in names:
            if not TAPE_DEVICE.match(name) or self.ignored.search(name):
                continue
            stats = os.path.join(root, name, "stats")

            def stat(attribute: str, stats: str = stats) -> int:
                return read_int(os.path.join(stats, attribute))

            device = [name]
            io_now.add_metric(device, stat("in_flight"))
            io_time.add_metric(device, stat("io_ns") / NANOSECONDS)
            io_others.add_metric(device, stat("other_cnt"))
            read_bytes.add_metric(device, stat("read_byte_cnt"))
            reads.add_metric(device, stat("read_cnt"))
            read_time.add_metric(device, stat("read_ns") / NANOSECONDS)
            residual.add_metric(device, stat("resid_cnt"))
            written.add_metric(device, stat("write_byte_cnt"))
            writes.add_metric(device, stat("write_cnt"))
            write_time.add_metric(device, stat("write_ns") / NANOSECONDS)
        families = (io_now, io_time, io_others, read_bytes, reads, read_time, residual, written, writes, write_time)
        yield from (family for family in families if family.rows)
