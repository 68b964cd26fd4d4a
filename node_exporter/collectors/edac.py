"""node_edac_*: memory controller error counts (EDAC) from /sys/devices/system/edac/mc."""

from __future__ import annotations

import glob
import os
import re

from exporter_toolkit.families import counter
from node_exporter.collector import Collector, register
from node_exporter.paths import read_int

CONTROLLER = re.compile(r".*devices/system/edac/mc/mc(\d+)$")
CSROW = re.compile(r".*devices/system/edac/mc/mc\d+/csrow(\d+)$")


@register
class EdacCollector(Collector):
    name = "edac"

    def update(self):
        correctable = counter("node_edac_correctable_errors_total", "Total correctable memory errors.",
                              labels=["controller"])
        uncorrectable = counter("node_edac_uncorrectable_errors_total", "Total uncorrectable memory errors.",
                                labels=["controller"])
        row_correctable = counter("node_edac_csrow_correctable_errors_total",
                                  "Total correctable memory errors for this csrow.", labels=["controller", "csrow"])
        row_uncorrectable = counter("node_edac_csrow_uncorrectable_errors_total",
                                    "Total uncorrectable memory errors for this csrow.",
                                    labels=["controller", "csrow"])
        for directory in sorted(glob.glob(self.paths.sys("devices", "system", "edac", "mc", "mc[0-9]*"))):
            match = CONTROLLER.match(directory)
            if match is None:
                continue
            controller = match.group(1)
            correctable.add_metric([controller], float(read_int(os.path.join(directory, "ce_count"))))
            uncorrectable.add_metric([controller], float(read_int(os.path.join(directory, "ue_count"))))
            # Errors the controller could not attribute to a csrow.
            row_correctable.add_metric([controller, "unknown"],
                                       float(read_int(os.path.join(directory, "ce_noinfo_count"))))
            row_uncorrectable.add_metric([controller, "unknown"],
                                         float(read_int(os.path.join(directory, "ue_noinfo_count"))))
            for row_dir in sorted(glob.glob(os.path.join(directory, "csrow[0-9]*"))):
                row = CSROW.match(row_dir)
                if row is None:
                    continue
                row_correctable.add_metric([controller, row.group(1)],
                                           float(read_int(os.path.join(row_dir, "ce_count"))))
                row_uncorrectable.add_metric([controller, row.group(1)],
                                             float(read_int(os.path.join(row_dir, "ue_count"))))
        yield from (family for family in (correctable, uncorrectable, row_correctable, row_uncorrectable)
                    if family.rows)
