"""node_zfs_*: ZFS on Linux kstats from /proc/spl/kstat/zfs: the module-wide files, and per pool its io, objset-*
(datasets) and state.

Metric names come from the kstat names the ZFS module prints (they vary with its version), under a fixed
prefix per file: node_zfs_arc_<kstat> for arcstats, node_zfs_zpool_<field> for a pool's io, and so on. HELP
is the kstat's dotted name, as in Go.
"""

from __future__ import annotations

import glob
import logging
import os

from exporter_toolkit.families import Family, gauge, untyped
from node_exporter.collector import Collector, NoDataError, register
from node_exporter.paths import read_text

log = logging.getLogger(__name__)

# kstat file -> metric prefix. The module adds files as features arrive: a missing one is skipped.
FILES = (
    ("abdstats", "node_zfs_abd_"),
    ("arcstats", "node_zfs_arc_"),
    ("dbuf_stats", "node_zfs_dbuf_"),
    ("dmu_tx", "node_zfs_dmu_tx_"),
    ("dnodestats", "node_zfs_dnode_"),
    ("fm", "node_zfs_fm_"),
    ("vdev_cache_stats", "node_zfs_vdev_cache_"),
    ("vdev_mirror_stats", "node_zfs_vdev_mirror_"),
    ("xuio_stats", "node_zfs_xuio_"),
    ("zfetchstats", "node_zfs_zfetch_"),
    ("zil", "node_zfs_zil_"),
)
# kstat data types reported: KSTAT_DATA_INT64 and KSTAT_DATA_UINT64 (parsed unsigned, as Go does).
NUMERIC_TYPES = ("3", "4")
POOL_STATES = ("online", "degraded", "faulted", "offline", "removed", "unavail")  # Go 1.5: no "suspended"


def kstat_rows(text: str, what: str) -> list[tuple[str, str, str]]:
    """(name, type, data) rows after the "name type data" header; no header is an error."""
    rows = []
    started = False
    for line in text.splitlines():
        parts = line.split()
        if not started:
            started = parts == ["name", "type", "data"]
            continue
        if len(parts) >= 3:
            rows.append((parts[0], parts[1], parts[2]))
    if not started:
        raise ValueError(f"did not parse a single {what!r} metric")
    return rows


def _unsigned(text: str, key: str) -> int:
    value = int(text)
    if value < 0 or not text.isdigit():
        raise ValueError(f"could not parse expected integer value for {key!r}")
    return value


def metric_suffix(name: str) -> str:
    return name.replace("-", "_")


@register
class ZfsCollector(Collector):
    name = "zfs"

    def _families(self) -> dict[str, Family]:
        families: dict[str, Family] = {}
        base = self.paths.proc("spl", "kstat", "zfs")
        for filename, prefix in FILES:
            try:
                text = read_text(os.path.join(base, filename))
            except OSError:
                log.debug("Cannot open file for reading", extra={"path": os.path.join(base, filename)})
                continue
            for name, kind, data in kstat_rows(text, filename):
                if kind not in NUMERIC_TYPES:
                    continue
                key = f"kstat.zfs.misc.{filename}.{name}"
                metric = prefix + metric_suffix(name)  # the names come from the data: the module's kstats
                families[metric] = untyped(metric, key, value=_unsigned(data, key))
        return families

    def _pool_families(self, families: dict[str, Family]) -> None:
        base = glob.escape(self.paths.proc("spl", "kstat", "zfs"))
        for path in sorted(glob.glob(os.path.join(base, "*", "io"))):
            pool = os.path.basename(os.path.dirname(path))
            header: list[str] = []
            for line in read_text(path).splitlines():
                fields = line.split()
                if not header:
                    if len(fields) >= 12 and fields[0] == "nread":
                        header = fields
                    continue
                for field, data in zip(header, fields, strict=False):
                    key = f"kstat.zfs.misc.io.{field}"
                    metric = "node_zfs_zpool_" + metric_suffix(field)  # the names come from the io file's header
                    if metric not in families:
                        families[metric] = untyped(metric, key, ["zpool"])
                    families[metric].add_metric([pool], _unsigned(data, key))
        for path in sorted(glob.glob(os.path.join(base, "*", "objset-*"))):
            pool = os.path.basename(os.path.dirname(path))
            dataset = ""
            for name, kind, data in kstat_rows(read_text(path), f"{pool} objset"):
                if name == "dataset_name":
                    dataset = data
                    continue
                if kind != "4":
                    continue
                key = f"kstat.zfs.misc.objset.{name}"
                metric = "node_zfs_zpool_dataset_" + metric_suffix(name)  # the names come from the objset kstats
                if metric not in families:
                    families[metric] = untyped(metric, key, ["zpool", "dataset"])
                families[metric].add_metric([pool, dataset], _unsigned(data, key))
        states = gauge("node_zfs_zpool_state", "kstat.zfs.misc.state", ["zpool", "state"])
        for path in sorted(glob.glob(os.path.join(base, "*", "state"))):
            pool = os.path.basename(os.path.dirname(path))
            lines = read_text(path).splitlines()
            actual = lines[0].lower() if lines else ""
            for state in POOL_STATES:
                states.add_metric([pool, state], 1.0 if actual == state else 0.0)
        if states.rows:
            families["node_zfs_zpool_state"] = states

    def update(self):
        if not os.path.exists(self.paths.proc("spl", "kstat", "zfs")):
            raise NoDataError("ZFS / ZFS statistics are not available")
        families = self._families()
        self._pool_families(families)
        yield from families.values()
