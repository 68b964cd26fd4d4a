"""Where the kernel's files are: --path.procfs, --path.sysfs, --path.rootfs, --path.udev.data.

In a container the host's trees are mounted elsewhere (e.g. /host/proc), so collectors never hard-code /proc.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Paths:
    procfs: str = "/proc"
    sysfs: str = "/sys"
    rootfs: str = "/"
    udev_data: str = "/run/udev/data"

    def proc(self, *parts: str) -> str:
        return os.path.join(self.procfs, *parts)

    def sys(self, *parts: str) -> str:
        return os.path.join(self.sysfs, *parts)

    def root(self, path: str) -> str:
        """A host path as seen from inside the container (rootfs-prefixed)."""
        return os.path.join(self.rootfs, path.lstrip("/"))

    def strip_root(self, path: str) -> str:
        """A path inside the mounted rootfs as the host names it."""
        if self.rootfs in ("", "/"):
            return path
        prefix = self.rootfs.rstrip("/")
        if path == prefix:
            return "/"
        if path.startswith(prefix + "/"):
            return path[len(prefix):]
        return path


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)


def read_bytes(path: str) -> bytes:
    """A whole file. Hand-specialised: os.open/os.read skip the buffered file object open() builds, which was
    ~8% of a scrape spread over the kernel files every collector reads (profile of the node benchmark)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        data = os.read(fd, 65536)
        if not data:
            return data
        chunks = [data]
        while chunk := os.read(fd, 65536):  # procfs hands out big files a page at a time: read to the end
            chunks.append(chunk)
        return b"".join(chunks) if len(chunks) > 1 else data
    finally:
        os.close(fd)


def read_text(path: str) -> str:
    return read_bytes(path).decode("utf-8", "replace")


def read_int(path: str) -> int:
    return int(read_bytes(path).strip())


GO_SPACE = b" \t\n\v\f\r"  # Go's bytes.TrimSpace on ASCII; Python's strip() would also eat \x1c-\x1f


def read_opt_text(path: str) -> str | None:
    """A sysfs attribute's text trimmed as Go trims it, or None where it is missing or unreadable."""
    try:
        return go_valid_utf8(read_bytes(path).strip(GO_SPACE))
    except OSError:
        return None


_INVALID_RUN = re.compile("[\udc80-\udcff]+")


def go_valid_utf8(data: bytes) -> str:
    """Bytes as text the way Go's strings.ToValidUTF8(s, "\ufffd") does it: each run of invalid bytes becomes one
    replacement character (Python's 'replace' would emit one per byte)."""
    return _INVALID_RUN.sub("\ufffd", data.decode("utf-8", "surrogateescape"))
