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

Gunicorn: `child_exit = app_instrumentation.multiprocess.child_exit` in gunicorn.conf.py; a scrape also folds
the files of any worker that is no longer alive, so a missed hook costs nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import re
from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client import multiprocess as upstream
from prometheus_client.mmap_dict import MmapedDict

FOLDABLE = ("counter", "histogram", "summary")
LIVE_GAUGE_MODES = ("livesum", "liveall", "livemax", "livemin", "livemostrecent")
_WORKER_FILE = re.compile(r"^(counter|histogram|summary|gauge_(?:livesum|liveall|livemax|livemin|livemostrecent))"
                          r"_(\d+)\.db$")
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
            return upstream.MultiProcessCollector.merge(files, accumulate=True)


def scrape_registry(registry: CollectorRegistry | None = None) -> CollectorRegistry:
    """The registry a /metrics handler should render: the merged worker files in multiprocess mode."""
    path = directory()
    if path is None:
        from prometheus_client import REGISTRY

        return registry or REGISTRY
    merged = CollectorRegistry(auto_describe=False)
    merged.register(FoldingCollector(path))
    return merged
