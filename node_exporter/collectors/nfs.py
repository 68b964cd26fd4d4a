"""node_nfs_*: NFS client RPC statistics from /proc/net/rpc/nfs."""

from __future__ import annotations

from exporter_toolkit.families import counter
from node_exporter.collector import Collector, register
from node_exporter.nfs_stats import CLIENT_V4_METHODS, V2_METHODS, V3_METHODS, add_requests, integers, read_stats


@register
class NfsCollector(Collector):
    name = "nfs"

    def update(self):
        lines = read_stats(self.paths, "nfs", "NFS")
        _, udp, tcp, connections = integers(lines.get("net", ["0"] * 4), "net", 4)
        rpcs, retransmissions, refreshes = integers(lines.get("rpc", ["0"] * 3), "rpc", 3)
        requests = counter("node_nfs_requests_total", "Number of NFS procedures invoked.", ["proto", "method"])
        for keyword, proto, methods, minimum, pad in (("proc2", "2", V2_METHODS, 18, False),
                                                     ("proc3", "3", V3_METHODS, 22, False),
                                                     ("proc4", "4", CLIENT_V4_METHODS, 0, True)):
            add_requests(requests, lines, keyword, proto, methods, minimum, pad=pad)
        packets = counter("node_nfs_packets_total", "Total NFSd network packets (sent+received) by protocol type.",
                          ["protocol"])
        packets.add_metric(["udp"], udp)
        packets.add_metric(["tcp"], tcp)
        yield packets
        yield counter("node_nfs_connections_total", "Total number of NFSd TCP connections.", value=connections)
        yield counter("node_nfs_rpcs_total", "Total number of RPCs performed.", value=rpcs)
        yield counter("node_nfs_rpc_retransmissions_total", "Number of RPC transmissions performed.",
                      value=retransmissions)
        yield counter("node_nfs_rpc_authentication_refreshes_total",
                      "Number of RPC authentication refreshes performed.", value=refreshes)
        yield requests
