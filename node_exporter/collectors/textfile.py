"""Metrics from *.prom files in --collector.textfile.directory, for batch jobs and cron scripts.

A file that cannot be read or parsed is skipped whole and sets node_textfile_scrape_error to 1; the
other files are still served, as in the Go exporter.
"""

from __future__ import annotations

import glob
import logging
import os

import click
from prometheus_client.core import Metric
from prometheus_client.parser import text_string_to_metric_families

from exporter_toolkit.families import gauge
from node_exporter.collector import Context, register
from node_exporter.paths import read_text

log = logging.getLogger("node_exporter.textfile")


def parse_file(path: str) -> list[Metric]:
    """Parse one file; raises ValueError for bad content, so the whole file is rejected."""
    families = list(text_string_to_metric_families(read_text(path)))
    for family in families:
        if any(sample.timestamp is not None for sample in family.samples):
            raise ValueError(f"textfile {path!r} contains unsupported client-side timestamps, skipping entire file")
        if not family.documentation:
            family.documentation = f"Metric read from {path}"
    return families


@register("textfile", options=[
    click.option("--collector.textfile.directory", "textfile_directory", default="",
                 help="Directory to read text files with metrics from."),
])
class TextfileCollector:
    def __init__(self, ctx: Context) -> None:
        self.directory = ctx.options.get("textfile_directory", "")

    def update(self):
        errored = False
        mtimes: dict[str, float] = {}
        merged: dict[str, Metric] = {}
        if self.directory:
            for path in sorted(glob.glob(os.path.join(glob.escape(self.directory), "*.prom"))):
                try:
                    mtime = os.stat(path).st_mtime
                    families = parse_file(path)
                    for family in families:
                        known = merged.get(family.name)
                        if known is not None and known.type != family.type:
                            raise ValueError(f"metric {family.name} has type {family.type} here but "
                                             f"{known.type} in an earlier file")
                    for family in families:
                        if family.name in merged:
                            merged[family.name].samples.extend(family.samples)
                        else:
                            merged[family.name] = family
                    mtimes[os.path.basename(path)] = mtime
                except (OSError, ValueError) as exc:
                    errored = True
                    log.error("failed to collect textfile data", extra={"file": path, "err": str(exc)})
            if not mtimes and not errored and not os.path.isdir(self.directory):
                errored = True
                log.error("failed to read textfile collector directory", extra={"path": self.directory})
        yield from merged.values()
        if mtimes:
            family = gauge("node_textfile_mtime_seconds", "Unixtime mtime of textfiles successfully read.",
                                       labels=["file"])
            for name, mtime in sorted(mtimes.items()):
                family.add_metric([name], float(int(mtime)))
            yield family
        yield gauge("node_textfile_scrape_error",
                                "1 if there was an error opening or reading a file, 0 otherwise",
                                value=1.0 if errored else 0.0)
