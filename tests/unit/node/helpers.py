"""Helpers shared by the node collector tests: a fake host tree, collectors built on it, their samples as a dict,
and the exporter run as a process for flag errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from node_exporter.collector import Context, NodeCollector
from node_exporter.paths import Paths


def write(root: Path, relative: str, text: str | bytes) -> Path:
    """Write one file of a fake host below root, creating its directories."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def make(cls, root: Path, **options):
    """A collector reading the fake host below root, with these collector options."""
    paths = Paths(procfs=str(root / "proc"), sysfs=str(root / "sys"), rootfs=str(root), udev_data=str(root / "udev"))
    return cls(Context(paths=paths, options=options))


def samples(families) -> dict[tuple, float]:
    """{(sample name, label values...): value}; plain prometheus_client metrics (variable labels) included."""
    found = {}
    for family in families:
        if hasattr(family, "rows"):
            found.update({(family.sample_name, *values): value for values, value in family.rows})
        else:
            found.update({(s.name, *sorted(s.labels.items())): s.value for s in family.samples})
    return found


def names(families) -> set[str]:
    """The sample names (with _total) of the families one update() returns."""
    return {f.sample_name for f in families}


def scrape(collectors: dict) -> dict[tuple, float]:
    """The samples of a whole scrape, through NodeCollector (so a failing collector fails alone)."""
    return samples(NodeCollector(collectors).collect())


def run_exporter(*args: str) -> subprocess.CompletedProcess:
    """The exporter started with these flags: a bad one makes it exit at once."""
    return subprocess.run([sys.executable, "-m", "node_exporter", "--web.listen-address=127.0.0.1:0", *args],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def samples_by_family_name(families) -> dict[tuple, float]:
    """{(family name, label values...): value}: counters under their name without _total."""
    return {(f.name, *values): value for f in families for values, value in f.rows}


def collect(collector) -> dict[str, dict]:
    """name -> {"type", "help", "rows": {label tuple: value}} (labels as sorted (key, value) pairs)."""
    out = {}
    for family in collector.update():
        rows = {tuple(sorted(zip(family.label_names, values, strict=True))): value for values, value in family.rows}
        out[family.sample_name] = {"type": family.type, "help": family.documentation, "rows": rows}
    return out


def value(families: dict, metric: str, /, **labels) -> float:
    return families[metric]["rows"][tuple(sorted(labels.items()))]


def systemd_options(**extra) -> dict:
    return {"systemd_enable_task_metrics": True, "systemd_enable_restarts_metrics": True,
            "systemd_enable_start_time_metrics": True, **extra}
