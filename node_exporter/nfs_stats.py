"""Reading and parsing of /proc/net/rpc/nfs and /proc/net/rpc/nfsd (shared by the nfs and nfsd collectors).

Each line is a keyword and numbers; the per-version procedure lines start with their own count. Method names
and their positions are those of Go node_exporter 1.5 (its procfs' field names and order, LayoutGet before
GetDeviceInfo and no SetClientID pair among the server's v4 operations), so `method` label values match.
"""

from __future__ import annotations

from exporter_toolkit.families import Family
from node_exporter.collector import NoDataError
from node_exporter.paths import Paths, read_text

V2_METHODS = ("Null", "GetAttr", "SetAttr", "Root", "Lookup", "ReadLink", "Read", "WrCache", "Write", "Create",
              "Remove", "Rename", "Link", "SymLink", "MkDir", "RmDir", "ReadDir", "FsStat")
V3_METHODS = ("Null", "GetAttr", "SetAttr", "Lookup", "Access", "ReadLink", "Read", "Write", "Create", "MkDir",
              "SymLink", "MkNod", "Remove", "RmDir", "Rename", "Link", "ReadDir", "ReadDirPlus", "FsStat", "FsInfo",
              "PathConf", "Commit")
CLIENT_V4_METHODS = (
    "Null", "Read", "Write", "Commit", "Open", "OpenConfirm", "OpenNoattr", "OpenDowngrade", "Close", "Setattr",
    "FsInfo", "Renew", "SetClientID", "SetClientIDConfirm", "Lock", "Lockt", "Locku", "Access", "Getattr", "Lookup",
    "LookupRoot", "Remove", "Rename", "Link", "Symlink", "Create", "Pathconf", "StatFs", "ReadLink", "ReadDir",
    "ServerCaps", "DelegReturn", "GetACL", "SetACL", "FsLocations", "ReleaseLockowner", "Secinfo", "FsidPresent",
    "ExchangeID", "CreateSession", "DestroySession", "Sequence", "GetLeaseTime", "ReclaimComplete", "LayoutGet",
    "GetDeviceInfo", "LayoutCommit", "LayoutReturn", "SecinfoNoName", "TestStateID", "FreeStateID", "GetDeviceList",
    "BindConnToSession", "DestroyClientID", "Seek", "Allocate", "DeAllocate", "LayoutStats", "Clone",
)
SERVER_V4_OPS = (
    "Op0Unused", "Op1Unused", "Op2Future", "Access", "Close", "Commit", "Create", "DelegPurge", "DelegReturn",
    "GetAttr", "GetFH", "Link", "Lock", "Lockt", "Locku", "Lookup", "LookupRoot", "Nverify", "Open", "OpenAttr",
    "OpenConfirm", "OpenDgrd", "PutFH", "PutPubFH", "PutRootFH", "Read", "ReadDir", "ReadLink", "Remove", "Rename",
    "Renew", "RestoreFH", "SaveFH", "SecInfo", "SetAttr", "Verify", "Write", "RelLockOwner",
)


def read_stats(paths: Paths, name: str, what: str) -> dict[str, list[str]]:
    """/proc/net/rpc/<name> parsed; a host without it (no NFS module loaded) has no data for `what`."""
    try:
        text = read_text(paths.proc("net", "rpc", name))
    except FileNotFoundError as exc:
        raise NoDataError(f"not collecting {what} metrics: {exc}") from exc
    return parse_lines(text)


def parse_lines(text: str) -> dict[str, list[str]]:
    """keyword -> its values as text (floats appear on the "th" line of older kernels)."""
    lines: dict[str, list[str]] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 2:
            raise ValueError(f"invalid NFS metric line {line!r}")
        lines[fields[0]] = fields[1:]
    return lines


def integers(values: list[str], keyword: str, count: int | None = None) -> list[int]:
    if count is not None and len(values) != count:
        raise ValueError(f"invalid {keyword} line: {len(values)} values, want {count}")
    return [int(value) for value in values]


def procedures(values: list[str], keyword: str, methods: tuple[str, ...], minimum: int, pad: bool = False
               ) -> dict[str, int]:
    """A counted procedure line ("proc3 22 v1 ... v22") as method -> count."""
    numbers = integers(values, keyword)
    declared = numbers[0]
    if len(numbers) - 1 != declared or (declared < minimum and not pad):
        raise ValueError(f"invalid {keyword} line {' '.join(values)!r}")
    counts = numbers[1:] + [0] * max(0, len(methods) - declared)  # older kernels report fewer: zero-padded
    return dict(zip(methods, counts, strict=False))


def add_requests(requests: Family, lines: dict[str, list[str]], keyword: str, proto: str, methods: tuple[str, ...],
                 minimum: int, reported: tuple[str, ...] | None = None, pad: bool = False) -> None:
    """One `[proto, method]` series per reported method (all of them by default) of a procedure line, zero for
    every method when the kernel has no such line."""
    counts = procedures(lines[keyword], keyword, methods, minimum, pad) if keyword in lines else {}
    for method in reported or methods:
        requests.add_metric([proto, method], counts.get(method, 0))
