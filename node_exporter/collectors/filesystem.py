"""node_filesystem_*: size, free, available, inodes and read-only state of every mounted filesystem.

statfs() on a hung network or FUSE mount blocks forever, so for those filesystems the calls run in a worker
thread with a deadline; a mount that misses it is reported with node_filesystem_device_error 1 and skipped
until its call returns, as the Go exporter does with its "stuck mounts". Local disk and memory filesystems
are asked directly: the thread hand-off costs 100x the statfs() itself.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import gauge
from node_exporter.collector import Collector, Context, register
from node_exporter.options import regex
from node_exporter.paths import read_text

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

DEFAULT_MOUNT_POINTS_EXCLUDE = r"^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)"
DEFAULT_FS_TYPES_EXCLUDE = (
    r"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|"
    r"overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$"
)
LABELS = ["device", "fstype", "mountpoint"]
# Filesystems whose statfs() is answered from local memory: no deadline needed.
LOCAL_FS_TYPES = frozenset({"btrfs", "erofs", "exfat", "ext2", "ext3", "ext4", "f2fs", "hfsplus", "jfs", "msdos",
                            "ntfs", "ntfs3", "ramfs", "reiserfs", "tmpfs", "vfat", "xfs", "zfs"})
_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mount:
    device: str
    mountpoint: str
    fstype: str
    options: str


def unescape(field: str) -> str:
    """/proc/mounts escapes space, tab, newline and backslash as \\ooo octal."""
    return _OCTAL_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field) if "\\" in field else field


def parse_mounts(text: str) -> list[Mount]:
    mounts = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 4:
            continue
        mounts.append(Mount(unescape(parts[0]), unescape(parts[1]), parts[2], parts[3]))
    return mounts


def statfs(path: str) -> tuple[float, float, float, float, float]:
    """size, free, avail bytes and files, files_free; block counts times f_bsize as Go's Statfs_t.Bsize."""
    st = os.statvfs(path)
    return (st.f_blocks * st.f_bsize, st.f_bfree * st.f_bsize, st.f_bavail * st.f_bsize,
            float(st.f_files), float(st.f_ffree))


@register
class FilesystemCollector(Collector):
    name = "filesystem"
    MOUNT_POINTS_EXCLUDE = regex("--collector.filesystem.mount-points-exclude", "filesystem_mount_points_exclude",
                                 DEFAULT_MOUNT_POINTS_EXCLUDE, "Regexp of mount points to exclude for filesystem "
                                 "collector.")
    FS_TYPES_EXCLUDE = regex("--collector.filesystem.fs-types-exclude", "filesystem_fs_types_exclude",
                             DEFAULT_FS_TYPES_EXCLUDE,
                             "Regexp of filesystem types to exclude for filesystem collector.")
    MOUNT_TIMEOUT = Option("--collector.filesystem.mount-timeout", "filesystem_mount_timeout", 5.0,
                           help="Seconds to wait for statfs() before marking a mount as stuck.", type=float)

    # Tests replace this to get deterministic sizes from a fixture tree.
    statfs = staticmethod(statfs)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.exclude_mounts = self.MOUNT_POINTS_EXCLUDE.read(ctx.options)
        self.exclude_types = self.FS_TYPES_EXCLUDE.read(ctx.options)
        self.timeout = float(self.MOUNT_TIMEOUT.read(ctx.options))
        self._pool: ThreadPoolExecutor | None = None
        self._stuck: set[str] = set()
        self._stuck_lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        """The statfs worker pool, made for the first mount that needs a deadline: hosts with only local
        filesystems never load concurrent.futures nor start its threads."""
        with self._stuck_lock:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="statfs")
            return self._pool

    def _mounts(self) -> list[Mount]:
        # PID 1's view is the host's when the exporter runs in a container with hostPID; /proc/mounts where
        # /proc/1 is hidden (hidepid), as Go falls back on a missing file.
        try:
            return parse_mounts(read_text(self.paths.proc("1", "mounts")))
        except FileNotFoundError:
            return parse_mounts(read_text(self.paths.proc("mounts")))

    def _stat(self, mount: Mount) -> tuple | None:
        try:
            return self.statfs(self.paths.root(mount.mountpoint))
        except OSError as exc:
            log.debug("statfs failed", extra={"mountpoint": mount.mountpoint, "err": str(exc)})
            return None

    def _stat_all(self, mounts: list[Mount]) -> dict[Mount, tuple | None]:
        """statfs every mount: local ones directly, the others in one worker call with a deadline; on a
        deadline, mark the mount in progress stuck and go on with the rest."""
        results: dict[Mount, tuple | None] = {m: self._stat(m) for m in mounts if m.fstype in LOCAL_FS_TYPES}
        pending = [m for m in mounts if m.fstype not in LOCAL_FS_TYPES]
        while pending:
            progress: list[Mount] = []

            def run(batch: list[Mount], progress: list[Mount] = progress) -> None:
                for mount in batch:
                    progress.append(mount)
                    results[mount] = self._stat(mount)

            future = self._executor().submit(run, pending)
            try:
                future.result(timeout=self.timeout)
                break
            except TimeoutError:  # concurrent.futures.TimeoutError is this built-in since Python 3.11
                stuck = progress[-1]
                log.error("Mount point timed out, it is being labeled as stuck and will not be monitored",
                          extra={"mountpoint": stuck.mountpoint})
                with self._stuck_lock:
                    self._stuck.add(stuck.mountpoint)
                future.add_done_callback(lambda _f, mp=stuck.mountpoint: self._unstick(mp))
                results[stuck] = None
                pending = pending[pending.index(stuck) + 1:]
        return results

    def _unstick(self, mountpoint: str) -> None:
        with self._stuck_lock:
            self._stuck.discard(mountpoint)
        log.info("Mount point has returned", extra={"mountpoint": mountpoint})

    def update(self):
        selected: list[Mount] = []
        seen: set[tuple[str, str, str]] = set()
        for raw in self._mounts():
            mount = Mount(raw.device, self.paths.strip_root(raw.mountpoint), raw.fstype, raw.options)
            key = (mount.device, mount.mountpoint, mount.fstype)
            if key in seen or self.exclude_mounts.search(mount.mountpoint) or self.exclude_types.search(mount.fstype):
                continue
            seen.add(key)
            selected.append(mount)
        with self._stuck_lock:
            stuck = {m for m in selected if m.mountpoint in self._stuck}
        stats = self._stat_all([m for m in selected if m not in stuck])

        device_error = gauge("node_filesystem_device_error",
                             "Whether an error occurred while getting statistics for the given device.", LABELS)
        readonly = gauge("node_filesystem_readonly", "Filesystem read-only status.", LABELS)
        size = gauge("node_filesystem_size_bytes", "Filesystem size in bytes.", LABELS)
        free = gauge("node_filesystem_free_bytes", "Filesystem free space in bytes.", LABELS)
        avail = gauge("node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.", LABELS)
        files = gauge("node_filesystem_files", "Filesystem total file nodes.", LABELS)
        files_free = gauge("node_filesystem_files_free", "Filesystem total free file nodes.", LABELS)
        for mount in selected:
            labels = [mount.device, mount.fstype, mount.mountpoint]
            values = stats.get(mount)
            device_error.add_metric(labels, 0.0 if values else 1.0)
            readonly.add_metric(labels, 1.0 if "ro" in mount.options.split(",") else 0.0)
            if not values:
                continue
            size_bytes, free_bytes, avail_bytes, file_nodes, free_file_nodes = values
            size.add_metric(labels, size_bytes)
            free.add_metric(labels, free_bytes)
            avail.add_metric(labels, avail_bytes)
            files.add_metric(labels, file_nodes)
            files_free.add_metric(labels, free_file_nodes)
        yield from (device_error, readonly, size, free, avail, files, files_free)
