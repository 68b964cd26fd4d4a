"""Multiprocess mode (gunicorn, uvicorn workers) whose scrape cost does not grow with dead workers.

prometheus_client keeps one file per worker and metric type in PROMETHEUS_MULTIPROC_DIR and reads every file
on every scrape; files of dead workers stay forever, so a server that recycles workers gets slower to scrape
without end. Here a dead worker's counter, histogram and summary files are folded into one archive file per
type and removed. Sums are preserved exactly, so counters never go backwards. Folding and reading take an
exclusive and a shared lock on one lock file, so a scrape never sees a worker counted twice or not at all.
Live workers never touch archives or dead files, so they need no lock.

Gauges in a `live*` mode (`livesum`, `liveall`, `livemax`, `livemin`, `livemostrecent`; the middleware's
`http_requests_in_progress` is `livesum`) describe running processes only: a dead worker's files of those
are removed, not folded, at the same moments and under the same lock. prometheus_client removes them only
when `mark_process_dead` is called, so a worker killed without the hook (OOM, SIGKILL) would otherwise be
summed into the scrape forever, e.g. as requests stuck in flight. Other gauge modes (`all`, `sum`, `max`,
`min`, `mostrecent`) deliberately include dead workers and are left as prometheus_client keeps them.

Native histograms (`histogram(..., native_bucket_factor=...)`) keep each worker's buckets in
`nativehistogram_<pid>.db`, one entry per (series, schema, bucket index), so dead workers fold like counters;
a scrape merges all workers bucket by bucket at the coarsest schema any of them uses.

Gunicorn: `child_exit = app_instrumentation.multiprocess.child_exit` in gunicorn.conf.py; a scrape also folds
the files of any worker that is no longer alive, so a missed hook costs nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import json
import math
import os
import re
import threading
from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client import multiprocess as upstream
from prometheus_client.mmap_dict import MmapedDict

from app_instrumentation.native import NativeHistogramChild, NativeHistogramFamily, NativeSnapshot, merge

FOLDABLE = ("counter", "histogram", "summary", "nativehistogram")
LIVE_GAUGE_MODES = ("livesum", "liveall", "livemax", "livemin", "livemostrecent")
_WORKER_FILE = re.compile(r"^(counter|histogram|summary|nativehistogram|"
                          r"gauge_(?:livesum|liveall|livemax|livemin|livemostrecent))_(\d+)\.db$")
LOCK_NAME = ".app_instrumentation.lock"


def directory() -> str | None:
    # The lower-case name is the one older prometheus_client releases documented.
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")  # noqa: SIM112


@contextlib.contextmanager
def _locked(path: str, exclusive: bool) -> Iterator[None]:
    with open(os.path.join(path, LOCK_NAME), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fold(path: str, kind: str, pid: int) -> None:
    source = os.path.join(path, f"{kind}_{pid}.db")
    if not os.path.exists(source):
        return
    if kind.startswith("gauge_"):  # a live gauge: the value of a process that no longer runs is no value
        os.remove(source)
        return
    dead = MmapedDict(source, read_mode=True)
    try:
        entries = list(dead.read_all_values())
    finally:
        dead.close()
    archive = MmapedDict(os.path.join(path, f"{kind}_archive.db"))
    try:
        for key, value, timestamp in entries:
            current, _ = archive.read_value(key)
            archive.write_value(key, current + value, timestamp)
    finally:
        archive.close()
    os.remove(source)


def fold_dead_workers(path: str | None = None, pids: set[int] | None = None) -> int:
    """Fold the files of the given pids (or of every worker no longer alive), removing their live gauges;
    returns how many files were folded or removed."""
    path = path or directory()
    if not path:
        return 0
    candidates = []
    for name in os.listdir(path):
        match = _WORKER_FILE.match(name)
        if match:
            pid = int(match.group(2))
            if (pid in pids) if pids is not None else not _alive(pid):
                candidates.append((match.group(1), pid))
    if not candidates:
        return 0
    with _locked(path, exclusive=True):
        for kind, pid in candidates:
            _fold(path, kind, pid)
    return len(candidates)


def mark_process_dead(pid: int, path: str | None = None) -> None:
    """prometheus_client's `mark_process_dead` (the dead worker's live gauges removed) plus the fold of its
    counters, histograms and summaries, all under the lock."""
    path = path or directory()
    if not path:
        return
    fold_dead_workers(path, {pid})


def child_exit(_server, worker) -> None:
    """A gunicorn server hook: `child_exit = app_instrumentation.multiprocess.child_exit`."""
    mark_process_dead(worker.pid)


class FoldingCollector:
    """Like prometheus_client's MultiProcessCollector, after folding dead workers, under the shared lock."""

    def __init__(self, path: str) -> None:
        self.path = path

    def collect(self):
        fold_dead_workers(self.path)
        with _locked(self.path, exclusive=False):
            files = glob.glob(os.path.join(glob.escape(self.path), "*.db"))
            native = [f for f in files if os.path.basename(f).startswith(NATIVE_PREFIX)]
            others = [f for f in files if not os.path.basename(f).startswith(NATIVE_PREFIX)]
            return [*upstream.MultiProcessCollector.merge(others, accumulate=True), *merge_native(native)]


NATIVE_PREFIX = "nativehistogram_"
_NATIVE_FILES: dict[int, MmapedDict] = {}
_NATIVE_LOCK = threading.Lock()


class NativeStore:
    """Where one worker's native histogram series writes its values: `nativehistogram_<pid>.db`.

    Keys are [name, help, labels, kind, a, b]: kind count, sum, zero (a = threshold), le (a = classic upper
    bound, the bucket's own count) or pos/neg (a = schema, b = bucket index). Every value is a count or a sum,
    so files of dead workers fold by adding."""

    def __init__(self, name: str, documentation: str, labels: dict[str, str]) -> None:
        self._head = [name, documentation, labels]
        self._keys: dict[tuple, str] = {}

    def created(self, child: NativeHistogramChild) -> None:
        """A new series: its count, sum, zero bucket and classic buckets appear at 0, as prometheus_client's do."""
        with _NATIVE_LOCK:
            file = self._file()
            for kind, a in (("count", 0), ("sum", 0), ("zero", child.config.zero_threshold),
                            *(("le", bound) for bound in child.bounds)):
                key = self._key(kind, a)
                file.write_value(key, file.read_value(key)[0], 0)

    def _key(self, kind: str, a: float | str = 0, b: int = 0) -> str:
        found = self._keys.get((kind, a, b))
        if found is None:
            found = self._keys[(kind, a, b)] = json.dumps([*self._head, kind, a, b], sort_keys=True)
        return found

    @staticmethod
    def _file() -> MmapedDict:
        pid = os.getpid()
        found = _NATIVE_FILES.get(pid)
        if found is None:
            found = MmapedDict(os.path.join(directory() or ".", f"{NATIVE_PREFIX}{pid}.db"))
            _NATIVE_FILES.clear()  # a forked worker does not write its parent's file
            _NATIVE_FILES[pid] = found
        return found

    def observed(self, child: NativeHistogramChild, value: float, classic_index: int, positive: bool, key: int,
                 bucketed: bool) -> None:
        with _NATIVE_LOCK:
            file = self._file()
            file.write_value(self._key("count"), child.count, 0)
            file.write_value(self._key("sum"), child.total, 0)
            if child.bounds:
                bound = child.bounds[classic_index] if classic_index < len(child.bounds) else "+Inf"
                file.write_value(self._key("le", bound), child.classic[classic_index], 0)
            if bucketed:
                buckets = child.positive if positive else child.negative
                file.write_value(self._key("pos" if positive else "neg", child.schema, key), buckets[key], 0)
            elif value == value:
                file.write_value(self._key("zero", child.config.zero_threshold), child.zero, 0)

    def rescaled(self, child: NativeHistogramChild, old_schema: int, positive: dict[int, int],
                 negative: dict[int, int]) -> None:
        """The child halved its resolution: its buckets at the old schema are emptied, the new ones written."""
        with _NATIVE_LOCK:
            file = self._file()
            for kind, old, new in (("pos", positive, child.positive), ("neg", negative, child.negative)):
                for key, count in new.items():
                    file.write_value(self._key(kind, child.schema, key), count, 0)
                for key in old:
                    file.write_value(self._key(kind, old_schema, key), 0, 0)


def merge_native(files: list[str]) -> list[NativeHistogramFamily]:
    """The native histograms of all worker (and archive) files, merged series by series."""
    # (name, help) -> labels -> kind -> {(a, b): value}
    found: dict[tuple[str, str], dict[tuple, dict[str, dict[tuple, float]]]] = {}
    for path in files:
        try:
            source = MmapedDict(path, read_mode=True)
        except FileNotFoundError:
            continue
        try:
            for key, value, _ in source.read_all_values():
                name, documentation, labels, kind, a, b = json.loads(key)
                series = found.setdefault((name, documentation), {}).setdefault(tuple(sorted(labels.items())), {})
                parts = series.setdefault(kind, {})
                if kind in ("pos", "neg"):  # buckets stay per file: their schemas may differ
                    parts.setdefault((path, a), {})[b] = parts.get((path, a), {}).get(b, 0) + value
                else:
                    parts[(a, b)] = parts.get((a, b), 0) + value
        finally:
            source.close()
    families = []
    for (name, documentation), series_by_labels in sorted(found.items()):
        family = NativeHistogramFamily(name, documentation)
        for labels, parts in series_by_labels.items():
            zero = parts.get("zero", {})
            threshold = max((a for a, _ in zero), default=0.0)
            snapshots = [NativeSnapshot(schema, threshold, 0, {k: int(v) for k, v in buckets.items() if v}, {})
                         for (_path, schema), buckets in parts.get("pos", {}).items()]
            snapshots += [NativeSnapshot(schema, threshold, 0, {}, {k: int(v) for k, v in buckets.items() if v})
                          for (_path, schema), buckets in parts.get("neg", {}).items()]
            snapshots = [s for s in snapshots if s.positive or s.negative]
            native = merge(snapshots) if snapshots else NativeSnapshot(_lowest_schema(parts), threshold, 0, {}, {})
            native.zero_threshold = threshold or native.zero_threshold
            native.zero_count = int(sum(zero.values()))
            native.count = int(sum(parts.get("count", {}).values()))
            native.total = sum(parts.get("sum", {}).values())
            classic = sorted(((math.inf if a == "+Inf" else float(a)), v) for (a, _), v in parts.get("le", {}).items())
            rows, cumulative = [], 0
            for bound, count in classic:
                if bound != math.inf:
                    cumulative += int(count)
                    rows.append((bound, cumulative, None))
            rows.append((math.inf, native.count, None))
            family.add_series(dict(labels), rows, native.count, native.total, native)
        families.append(family)
    return families


def _lowest_schema(parts: dict) -> int:
    schemas = [schema for kind in ("pos", "neg") for (_path, schema) in parts.get(kind, {})]
    return min(schemas, default=0)


def scrape_registry(registry: CollectorRegistry | None = None) -> CollectorRegistry:
    """The registry a /metrics handler should render: the merged worker files in multiprocess mode."""
    path = directory()
    if path is None:
        from prometheus_client import REGISTRY

        return registry or REGISTRY
    merged = CollectorRegistry(auto_describe=False)
    merged.register(FoldingCollector(path))
    return merged
