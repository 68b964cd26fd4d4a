"""node_nfsd_*: NFS server statistics from /proc/net/rpc/nfsd."""

from __future__ import annotations

from exporter_toolkit.families import counter, gauge
from node_exporter.collector import Collector, register
from node_exporter.nfs_stats import SERVER_V4_OPS, V2_METHODS, V3_METHODS, add_requests, integers, read_stats

# The server omits Null for v2/v3 and the unused/placeholder v4 operations, as the Go exporter does.
V2_REPORTED = V2_METHODS[1:]
V3_REPORTED = V3_METHODS[1:]
V4_REPORTED = ("Access", "Close", "Commit", "Create", "DelegPurge", "DelegReturn", "GetAttr", "GetFH", "Link", "Lock",
               "Lockt", "Locku", "Lookup", "LookupRoot", "Nverify", "Open", "OpenAttr", "OpenConfirm", "OpenDgrd",
               "PutFH", "Read", "ReadDir", "ReadLink", "Remove", "Rename", "Renew", "RestoreFH", "SaveFH", "SecInfo",
               "SetAttr", "Verify", "Write", "RelLockOwner")


@register
class NfsdCollector(Collector):
    name = "nfsd"

    def update(self):
        lines = read_stats(self.paths, "nfsd", "NFSd")
        zeros = ["0"] * 12
        hits, misses, nocache = integers(lines.get("rc", zeros[:3]), "rc", 3)
        stale = integers(lines.get("fh", zeros[:5]), "fh", 5)[0]
        read, written = integers(lines.get("io", zeros[:2]), "io", 2)
        threads = int(lines.get("th", ["0"])[0])
        readahead = integers(lines.get("ra", zeros), "ra", 12)
        _, udp, tcp, connections = integers(lines.get("net", zeros[:4]), "net", 4)
        rpcs, _bad, bad_fmt, bad_auth, bad_cint = integers(lines.get("rpc", zeros[:5]), "rpc", 5)
        yield counter("node_nfsd_reply_cache_hits_total",
                      "Total number of NFSd Reply Cache hits (client lost server response).", value=hits)
        yield counter("node_nfsd_reply_cache_misses_total",
                      "Total number of NFSd Reply Cache an operation that requires caching (idempotent).", value=misses)
        yield counter("node_nfsd_reply_cache_nocache_total",
                      "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/…).", value=nocache)
        yield counter("node_nfsd_file_handles_stale_total", "Total number of NFSd stale file handles", value=stale)
        yield counter("node_nfsd_disk_bytes_read_total", "Total NFSd bytes read.", value=read)
        yield counter("node_nfsd_disk_bytes_written_total", "Total NFSd bytes written.", value=written)
        yield gauge("node_nfsd_server_threads", "Total number of NFSd kernel threads that are running.", value=threads)
        yield gauge("node_nfsd_read_ahead_cache_size_blocks", "How large the read ahead cache is in blocks.",
                    value=readahead[0])
        yield counter("node_nfsd_read_ahead_cache_not_found_total", "Total number of NFSd read ahead cache not found.",
                      value=readahead[11])
        packets = counter("node_nfsd_packets_total", "Total NFSd network packets (sent+received) by protocol type.",
                          ["proto"])
        packets.add_metric(["udp"], udp)
        packets.add_metric(["tcp"], tcp)
        yield packets
        yield counter("node_nfsd_connections_total", "Total number of NFSd TCP connections.", value=connections)
        errors = counter("node_nfsd_rpc_errors_total", "Total number of NFSd RPC errors by error type.", ["error"])
        errors.add_metric(["fmt"], bad_fmt)
        errors.add_metric(["auth"], bad_auth)
        errors.add_metric(["cInt"], bad_cint)
        yield errors
        yield counter("node_nfsd_server_rpcs_total", "Total number of NFSd RPCs.", value=rpcs)
        requests = counter("node_nfsd_requests_total", "Total number NFSd Requests by method and protocol.",
                           ["proto", "method"])
        for keyword, proto, methods, reported, minimum in (("proc2", "2", V2_METHODS, V2_REPORTED, 18),
                                                           ("proc3", "3", V3_METHODS, V3_REPORTED, 22),
                                                           ("proc4ops", "4", SERVER_V4_OPS, V4_REPORTED, 39)):
            add_requests(requests, lines, keyword, proto, methods, minimum, reported)
        yield requests
