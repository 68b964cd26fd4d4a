"""Metrics from *.prom files in --collector.textfile.directory, for batch jobs and cron scripts.

As Go node_exporter 1.5: in the directory (or each directory the flag's glob matches), every name ending in
.prom, in name order, is parsed by Go's rules (textformat.py); a file that cannot be read or parsed, or that has
timestamps, is skipped whole and sets node_textfile_scrape_error to 1, the other files are still served. A
family without HELP gets "Metric read from <every file naming it>"; series missing a label of their family get
it empty; then Go's registry rules (gather.py) decide between series of one name: the first HELP, TYPE and
labels win, over files and over this collector's own metrics.
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Iterator
from operator import itemgetter

from prometheus_client.core import Metric

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import Family, gauge, raw_counter, untyped
from node_exporter.collector import Collector, Context, register
from node_exporter.gather import Gather
from node_exporter.textformat import ParsedFamily, TextFormatError, go_float, parse

log = logging.getLogger(__name__)


def read_file(path: str) -> bytes:
    """A file's bytes; a directory named *.prom reads as empty, as it does for Go."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except IsADirectoryError:
        return b""


def parse_file(path: str) -> dict[str, ParsedFamily]:
    """Parse one file; raises ValueError (OSError when unreadable) so the whole file is rejected."""
    parsed = parse(read_file(path))
    if parsed.has_timestamps:
        raise ValueError(f"textfile {path!r} contains unsupported client-side timestamps, skipping entire file")
    return parsed.families


def _rows(samples: list[tuple[dict[str, str], float]]) -> tuple[tuple[str, ...], list[tuple[tuple, float]]]:
    """The family's label names (every series gets each, empty where missing) and its rows; a repeated label set
    keeps its first value, as Go. The usual file, every series with the same names and none repeated, is done
    with C-level maps."""
    labels = [entry[0] for entry in samples]
    values = [entry[1] for entry in samples]
    names = tuple(sorted(labels[0])) if labels else ()
    keys: list[tuple] | None = None
    if all(map(len(names).__eq__, map(len, labels))):
        try:
            if len(names) > 1:
                keys = list(map(itemgetter(*names), labels))
            elif names:
                keys = [(value,) for value in map(itemgetter(names[0]), labels)]
            else:
                keys = [()] * len(labels)
        except KeyError:
            keys = None
    if keys is None:
        names = tuple(sorted(set().union(*labels)))
        keys = [tuple(entry.get(name, "") for name in names) for entry in labels]
    if len(dict(zip(keys, values, strict=True))) == len(keys):
        return names, list(zip(keys, values, strict=True))
    rows: dict[tuple, float] = {}
    for key, value in zip(keys, values, strict=True):
        rows.setdefault(key, value)
    return names, list(rows.items())


def to_metric(family: ParsedFamily, documentation: str) -> Metric:
    """One parsed family as served (Go's convertMetricFamily and text encoder)."""
    name, mtype = family.name, family.type
    if mtype in ("gauge", "counter", "untyped"):
        names, rows = _rows(family.samples)
        build = {"gauge": gauge, "counter": raw_counter, "untyped": untyped}[mtype]
        metric: Family = build(name, documentation, names)
        metric.rows = rows
        return metric
    names = tuple(sorted(set().union(*(group.labels for group in family.groups.values()))))
    out = Metric(name, documentation, mtype)
    seen: set[tuple[str, ...]] = set()
    for group in family.groups.values():
        labels = {label: group.labels.get(label, "") for label in names}
        key = tuple(labels.values())
        if key in seen:  # two series that are one once missing labels are filled in: the first is kept, as Go
            continue
        seen.add(key)
        entries = dict(group.entries)  # a repeated quantile or bound keeps its last value, as Go
        if mtype == "summary":
            for quantile in sorted(entries):
                out.add_sample(name, {**labels, "quantile": go_float(quantile)}, entries[quantile])
        else:
            for bound in sorted(entries):
                out.add_sample(name + "_bucket", {**labels, "le": go_float(bound)}, entries[bound])
            if float("inf") not in entries:
                out.add_sample(name + "_bucket", {**labels, "le": "+Inf"}, float(group.count))
        out.add_sample(name + "_sum", labels, group.sum)
        out.add_sample(name + "_count", labels, float(group.count))
    return out


@register
class TextfileCollector(Collector):
    name = "textfile"
    DIRECTORY = Option("--collector.textfile.directory", "textfile_directory", "",
                       help="Directory to read text files with metrics from.")

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.directory = self.DIRECTORY.read(ctx.options)

    def update(self) -> Iterator[Metric]:
        errored = False
        mtimes: dict[str, float] = {}
        parsed: list[ParsedFamily] = []
        files_of: dict[str, list[str]] = {}
        # The flag may be a glob of directories, as in Go; one that matches nothing is read as a plain path.
        directories = sorted(glob.glob(self.directory)) or [self.directory] if self.directory else []
        for directory in directories:
            try:
                names = sorted(name for name in os.listdir(directory) if name.endswith(".prom"))
            except OSError as exc:
                names = []
                errored = True
                log.error("failed to read textfile collector directory", extra={"path": directory, "err": str(exc)})
            for name in names:
                path = os.path.normpath(os.path.join(directory, name))  # Go: filepath.Join, which cleans
                try:
                    families = parse_file(path)
                    mtime = os.stat(path).st_mtime
                except (OSError, ValueError) as exc:
                    errored = True
                    message = str(exc) if not isinstance(exc, TextFormatError) else \
                        f"failed to parse textfile data from {path!r}: {exc}"
                    log.error("failed to collect textfile data", extra={"file": name, "err": message})
                    continue
                for family in families.values():
                    files_of.setdefault(family.name, []).append(path)
                    parsed.append(family)
                mtimes[path] = mtime
        metrics: list[Metric] = []
        for family in parsed:
            help_text = family.help if family.help is not None else \
                f"Metric read from {', '.join(files_of[family.name])}"
            metrics.append(to_metric(family, help_text))
        if mtimes:
            family = gauge("node_textfile_mtime_seconds", "Unixtime mtime of textfiles successfully read.",
                           labels=["file"])
            for path, mtime in sorted(mtimes.items()):
                family.add_metric([path], float(int(mtime)))
            metrics.append(family)
        metrics.append(gauge("node_textfile_scrape_error",
                             "1 if there was an error opening or reading a file, 0 otherwise",
                             value=1.0 if errored else 0.0))
        gather = Gather()
        for metric in metrics:
            gather.add(metric)
        served = gather.served()
        yield from (served[id(metric)] for metric in metrics if id(metric) in served)
