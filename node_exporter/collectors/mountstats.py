"""node_mountstats_nfs_*: per-mount NFS client statistics from /proc/self/mountstats.

The server address (`mountaddr`) comes from the `addr=` super option of the same entry in /proc/self/mountinfo
(both files list mounts in the same order). A device mounted twice with the same protocol and address is
reported once, as in Go.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, register
from node_exporter.paths import read_text

# Go's float64 mantissa: the kernel's millisecond sums are taken modulo 2^53 before conversion.
FLOAT64_MANTISSA = 9007199254740992
NFS_TYPES = ("nfs", "nfs4")
BYTES = ("read", "write", "direct_read", "direct_write", "read_total", "write_total", "read_pages", "write_pages")
EVENTS = ("inode_revalidate", "dnode_revalidate", "data_invalidate", "attribute_invalidate", "vfs_open", "vfs_lookup",
          "vfs_access", "vfs_update_page", "vfs_read_page", "vfs_read_pages", "vfs_write_page", "vfs_write_pages",
          "vfs_getdents", "vfs_setattr", "vfs_flush", "vfs_fsync", "vfs_lock", "vfs_file_release", "congestion_wait",
          "truncation", "write_extension", "silly_rename", "short_read", "short_write", "jukebox_delay", "pnfs_read",
          "pnfs_write")
TRANSPORT = ("port", "bind", "connect", "connect_idle_time", "idle_time", "sends", "receives", "bad_xids",
             "active_requests", "backlog", "max_slots", "sending_queue", "pending_queue")


@dataclass
class NfsStats:
    age: int = 0
    bytes: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    protocol: str = ""
    transport: dict[str, int] = field(default_factory=dict)
    operations: list[tuple[str, list[int]]] = field(default_factory=list)


def _numbers(values: list[str], minimum: int, what: str) -> list[int]:
    if len(values) < minimum:
        raise ValueError(f"invalid NFS {what} stats: {values}")
    return [int(value) for value in values]


def _transport(values: list[str], version: str) -> tuple[str, dict[str, int]]:
    if version not in ("1.0", "1.1"):
        raise ValueError(f"unrecognized NFS transport stats version {version!r}")
    protocol, numbers = values[0], values[1:]
    # udp has no connect count, connect idle time or idle time; the other columns line up with tcp's.
    minimum = (6 if version == "1.0" else 9) if protocol == "udp" else (9 if version == "1.0" else 12)
    parsed = _numbers(numbers, minimum, "transport")
    if protocol == "udp":
        parsed = [*parsed[:2], 0, 0, 0, *parsed[2:]]
    parsed += [0] * (len(TRANSPORT) - len(parsed))
    return protocol, dict(zip(TRANSPORT, parsed, strict=False))


def parse_mountstats(text: str) -> list[tuple[str, str, NfsStats | None]]:
    """(device, mountpoint, NFS stats or None) for every mount, in file order."""
    mounts: list[tuple[str, str, NfsStats | None]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        fields = lines[index].split()
        index += 1
        if not fields or fields[0] != "device":
            continue
        if len(fields) < 8:
            raise ValueError(f"invalid device entry: {fields}")
        device, mountpoint, fstype = fields[1], fields[4], fields[7]
        if fstype not in NFS_TYPES:
            mounts.append((device, mountpoint, None))
            continue
        version = fields[8].removeprefix("statvers=") if len(fields) > 8 else ""
        stats = NfsStats()
        while index < len(lines) and lines[index].strip():
            parts = lines[index].split()
            index += 1
            key = parts[0]
            if key == "age:":
                stats.age = int(parts[1])
            elif key == "bytes:":
                stats.bytes = dict(zip(BYTES, _numbers(parts[1:], len(BYTES), "bytes"), strict=False))
            elif key == "events:":
                stats.events = dict(zip(EVENTS, _numbers(parts[1:], len(EVENTS), "events"), strict=False))
            elif key == "xprt:":
                stats.protocol, stats.transport = _transport(parts[1:], version)
            elif key == "per-op":
                while index < len(lines) and lines[index].strip():
                    op = lines[index].split()
                    index += 1
                    stats.operations.append((op[0].rstrip(":"), _numbers(op[1:], 8, "operation")))
        mounts.append((device, mountpoint, stats))
    return mounts


def mount_addresses(text: str) -> list[str]:
    """The addr= super option of each /proc/self/mountinfo line ("" when absent), in file order."""
    addresses = []
    for line in text.splitlines():
        _, sep, tail = line.partition(" - ")
        options = tail.split()[2] if sep and len(tail.split()) > 2 else ""
        address = ""
        for option in options.split(","):
            key, _, value = option.partition("=")
            if key == "addr":
                address = value
        addresses.append(address)
    return addresses


@register
class MountstatsCollector(Collector):
    name = "mountstats"
    enabled_by_default = False

    def update(self):
        mounts = parse_mountstats(read_text(self.paths.proc("self", "mountstats")))
        addresses = mount_addresses(read_text(self.paths.proc("self", "mountinfo")))
        labels = ["export", "protocol", "mountaddr"]
        op_labels = [*labels, "operation"]

        def per_mount(name: str, doc: str, kind=counter):
            return kind(name, doc, labels)

        def per_op(name: str, doc: str):
            return counter(name, doc, op_labels)

        age = per_mount("node_mountstats_nfs_age_seconds_total", "The age of the NFS mount in seconds.")
        byte_families = {
            "read": per_mount("node_mountstats_nfs_read_bytes_total", "Number of bytes read using the read() syscall."),
            "write": per_mount("node_mountstats_nfs_write_bytes_total",
                               "Number of bytes written using the write() syscall."),
            "direct_read": per_mount("node_mountstats_nfs_direct_read_bytes_total",
                                     "Number of bytes read using the read() syscall in O_DIRECT mode."),
            "direct_write": per_mount("node_mountstats_nfs_direct_write_bytes_total",
                                      "Number of bytes written using the write() syscall in O_DIRECT mode."),
            "read_total": per_mount("node_mountstats_nfs_total_read_bytes_total",
                                    "Number of bytes read from the NFS server, in total."),
            "write_total": per_mount("node_mountstats_nfs_total_write_bytes_total",
                                     "Number of bytes written to the NFS server, in total."),
            "read_pages": per_mount("node_mountstats_nfs_read_pages_total",
                                    "Number of pages read directly via mmap()'d files."),
            "write_pages": per_mount("node_mountstats_nfs_write_pages_total",
                                     "Number of pages written directly via mmap()'d files."),
        }
        transport_families = {
            "bind": per_mount("node_mountstats_nfs_transport_bind_total",
                              "Number of times the client has had to establish a connection from scratch to the NFS "
                              "server."),
            "connect": per_mount("node_mountstats_nfs_transport_connect_total",
                                 "Number of times the client has made a TCP connection to the NFS server."),
            "idle_time": per_mount("node_mountstats_nfs_transport_idle_time_seconds",
                                   "Duration since the NFS mount last saw any RPC traffic, in seconds.", gauge),
            "sends": per_mount("node_mountstats_nfs_transport_sends_total",
                               "Number of RPC requests for this mount sent to the NFS server."),
            "receives": per_mount("node_mountstats_nfs_transport_receives_total",
                                  "Number of RPC responses for this mount received from the NFS server."),
            "bad_xids": per_mount("node_mountstats_nfs_transport_bad_transaction_ids_total",
                                  "Number of times the NFS server sent a response with a transaction ID unknown to "
                                  "this client."),
            "backlog": per_mount("node_mountstats_nfs_transport_backlog_queue_total",
                                 "Total number of items added to the RPC backlog queue."),
            "max_slots": per_mount("node_mountstats_nfs_transport_maximum_rpc_slots",
                                   "Maximum number of simultaneously active RPC requests ever used.", gauge),
            "sending_queue": per_mount("node_mountstats_nfs_transport_sending_queue_total",
                                       "Total number of items added to the RPC transmission sending queue."),
            "pending_queue": per_mount("node_mountstats_nfs_transport_pending_queue_total",
                                       "Total number of items added to the RPC transmission pending queue."),
        }
        # (column of the per-op line, family, milliseconds?)
        op_families = (
            (0, per_op("node_mountstats_nfs_operations_requests_total",
                       "Number of requests performed for a given operation."), False),
            (1, per_op("node_mountstats_nfs_operations_transmissions_total",
                       "Number of times an actual RPC request has been transmitted for a given operation."), False),
            (2, per_op("node_mountstats_nfs_operations_major_timeouts_total",
                       "Number of times a request has had a major timeout for a given operation."), False),
            (3, per_op("node_mountstats_nfs_operations_sent_bytes_total",
                       "Number of bytes sent for a given operation, including RPC headers and payload."), False),
            (4, per_op("node_mountstats_nfs_operations_received_bytes_total",
                       "Number of bytes received for a given operation, including RPC headers and payload."), False),
            (5, per_op("node_mountstats_nfs_operations_queue_time_seconds_total",
                       "Duration all requests spent queued for transmission for a given operation before they were "
                       "sent, in seconds."), True),
            (6, per_op("node_mountstats_nfs_operations_response_time_seconds_total",
                       "Duration all requests took to get a reply back after a request for a given operation was "
                       "transmitted, in seconds."), True),
            (7, per_op("node_mountstats_nfs_operations_request_time_seconds_total",
                       "Duration all requests took from when a request was enqueued to when it was completely "
                       "handled for a given operation, in seconds."), True),
        )
        event_help = {
            "inode_revalidate": "Number of times cached inode attributes are re-validated from the server.",
            "dnode_revalidate": "Number of times cached dentry nodes are re-validated from the server.",
            "data_invalidate": "Number of times an inode cache is cleared.",
            "attribute_invalidate": "Number of times cached inode attributes are invalidated.",
            "vfs_open": "Number of times cached inode attributes are invalidated.",
            "vfs_lookup": "Number of times a directory lookup has occurred.",
            "vfs_access": "Number of times permissions have been checked.",
            "vfs_update_page": "Number of updates (and potential writes) to pages.",
            "vfs_read_page": "Number of pages read directly via mmap()'d files.",
            "vfs_read_pages": "Number of times a group of pages have been read.",
            "vfs_write_page": "Number of pages written directly via mmap()'d files.",
            "vfs_write_pages": "Number of times a group of pages have been written.",
            "vfs_getdents": "Number of times directory entries have been read with getdents().",
            "vfs_setattr": "Number of times directory entries have been read with getdents().",
            "vfs_flush": "Number of pending writes that have been forcefully flushed to the server.",
            "vfs_fsync": "Number of times fsync() has been called on directories and files.",
            "vfs_lock": "Number of times locking has been attempted on a file.",
            "vfs_file_release": "Number of times files have been closed and released.",
            "truncation": "Number of times files have been truncated.",
            "write_extension": "Number of times a file has been grown due to writes beyond its existing end.",
            "silly_rename": "Number of times a file was removed while still open by another process.",
            "short_read": "Number of times the NFS server gave less data than expected while reading.",
            "short_write": "Number of times the NFS server wrote less data than expected while writing.",
            "jukebox_delay": "Number of times the NFS server indicated EJUKEBOX; retrieving data from offline "
                             "storage.",
            "pnfs_read": "Number of NFS v4.1+ pNFS reads.",
            "pnfs_write": "Number of NFS v4.1+ pNFS writes.",
        }
        event_names = {
            "inode_revalidate": "node_mountstats_nfs_event_inode_revalidate_total",
            "dnode_revalidate": "node_mountstats_nfs_event_dnode_revalidate_total",
            "data_invalidate": "node_mountstats_nfs_event_data_invalidate_total",
            "attribute_invalidate": "node_mountstats_nfs_event_attribute_invalidate_total",
            "vfs_open": "node_mountstats_nfs_event_vfs_open_total",
            "vfs_lookup": "node_mountstats_nfs_event_vfs_lookup_total",
            "vfs_access": "node_mountstats_nfs_event_vfs_access_total",
            "vfs_update_page": "node_mountstats_nfs_event_vfs_update_page_total",
            "vfs_read_page": "node_mountstats_nfs_event_vfs_read_page_total",
            "vfs_read_pages": "node_mountstats_nfs_event_vfs_read_pages_total",
            "vfs_write_page": "node_mountstats_nfs_event_vfs_write_page_total",
            "vfs_write_pages": "node_mountstats_nfs_event_vfs_write_pages_total",
            "vfs_getdents": "node_mountstats_nfs_event_vfs_getdents_total",
            "vfs_setattr": "node_mountstats_nfs_event_vfs_setattr_total",
            "vfs_flush": "node_mountstats_nfs_event_vfs_flush_total",
            "vfs_fsync": "node_mountstats_nfs_event_vfs_fsync_total",
            "vfs_lock": "node_mountstats_nfs_event_vfs_lock_total",
            "vfs_file_release": "node_mountstats_nfs_event_vfs_file_release_total",
            "truncation": "node_mountstats_nfs_event_truncation_total",
            "write_extension": "node_mountstats_nfs_event_write_extension_total",
            "silly_rename": "node_mountstats_nfs_event_silly_rename_total",
            "short_read": "node_mountstats_nfs_event_short_read_total",
            "short_write": "node_mountstats_nfs_event_short_write_total",
            "jukebox_delay": "node_mountstats_nfs_event_jukebox_delay_total",
            "pnfs_read": "node_mountstats_nfs_event_pnfs_read_total",
            "pnfs_write": "node_mountstats_nfs_event_pnfs_write_total",
        }
        event_families = {event: per_mount(name, event_help[event]) for event, name in event_names.items()}

        seen: set[tuple[str, str, str]] = set()
        for position, (device, _mountpoint, stats) in enumerate(mounts):
            if stats is None:
                continue
            address = addresses[position] if position < len(addresses) else ""
            identity = (device, stats.protocol, address)
            if identity in seen:
                continue
            seen.add(identity)
            values = list(identity)
            age.add_metric(values, stats.age)
            for name, family in byte_families.items():
                family.add_metric(values, stats.bytes.get(name, 0))
            for name, family in transport_families.items():
                value = stats.transport.get(name, 0)
                family.add_metric(values, value % FLOAT64_MANTISSA if name == "idle_time" else value)
            for operation, numbers in stats.operations:
                for column, family, milliseconds in op_families:
                    value = numbers[column]
                    family.add_metric([*values, operation],
                                      (value % FLOAT64_MANTISSA) / 1000.0 if milliseconds else value)
            for name, family in event_families.items():
                family.add_metric(values, stats.events.get(name, 0))
        families = [age, *byte_families.values(), *transport_families.values(),
                    *(family for _, family, _ in op_families), *event_families.values()]
        yield from (family for family in families if family.rows)  # no NFS mount: nothing, as in Go
