"""The network_route collector (node_exporter/collectors/network_route.py)."""

from __future__ import annotations

import socket
import struct

from node_exporter import netlink
from node_exporter.collector import Context
from node_exporter.collectors import network_route
from tests.unit.node.helpers import collect


def route_message(family: int, dst: bytes | None, dst_len: int, protocol: int, kind: int, attrs: bytes) -> bytes:
    body = network_route.RTMSG.pack(family, dst_len, 0, 0, 254, protocol, 0, kind, 0)
    if dst:
        body += netlink.attribute(network_route.RTA_DST, dst)
    return body + attrs


def test_network_route_parses_unicast_and_multipath_routes():
    u32 = lambda v: struct.pack("=I", v)  # noqa: E731
    hop = lambda ifindex, weight, gw: (  # noqa: E731
        struct.pack("=HBBi", 8 + 8, 0, weight, ifindex) + netlink.attribute(network_route.RTA_GATEWAY, gw))
    messages = [
        route_message(socket.AF_INET, None, 0, 3, 1, netlink.attribute(network_route.RTA_GATEWAY, bytes([10, 0, 0, 1]))
                      + netlink.attribute(network_route.RTA_OIF, u32(2))),
        route_message(socket.AF_INET, bytes([10, 0, 0, 0]), 24, 2, 1,
                      netlink.attribute(network_route.RTA_PREFSRC, bytes([10, 0, 0, 5]))
                      + netlink.attribute(network_route.RTA_OIF, u32(2))
                      + netlink.attribute(network_route.RTA_PRIORITY, u32(100))),
        route_message(socket.AF_INET, bytes([192, 168, 0, 0]), 16, 0xBA, 1, netlink.attribute(
            network_route.RTA_MULTIPATH, hop(2, 0, bytes([10, 0, 0, 2])) + hop(3, 4, bytes([10, 1, 0, 2])))),
        route_message(socket.AF_INET, bytes([127, 0, 0, 1]), 32, 2, 2, b""),  # local: not unicast, skipped
    ]
    routes = network_route.routes(messages, {2: "eth0", 3: "eth1"})
    assert routes == [
        ["eth0", "", "default", "10.0.0.1", "0", "boot", ""],
        ["eth0", "10.0.0.5", "10.0.0.0/24", "", "100", "kernel", ""],
        ["eth0", "", "192.168.0.0/16", "10.0.0.2", "0", "bgp", "1"],
        ["eth1", "", "192.168.0.0/16", "10.1.0.2", "0", "bgp", "5"],
    ]


def test_network_route_agrees_with_proc_net_route():
    """Every IPv4 route of the main table in /proc/net/route is one of ours (same device, destination, gateway)."""
    families = collect(network_route.NetworkRouteCollector(Context()))
    ours = {(dict(labels)["device"], dict(labels)["dest"], dict(labels)["gw"])
            for labels in families["node_network_route_info"]["rows"]}
    with open("/proc/net/route") as handle:
        lines = handle.read().splitlines()[1:]
    assert lines, "this host has IPv4 routes"
    for line in lines:
        device, destination, gateway, _flags, _, _, _, mask = line.split()[:8]
        dst = socket.inet_ntoa(struct.pack("<I", int(destination, 16)))
        prefix = bin(int(mask, 16)).count("1")
        gw = socket.inet_ntoa(struct.pack("<I", int(gateway, 16)))
        assert (device, "default" if prefix == 0 else f"{dst}/{prefix}", "" if gw == "0.0.0.0" else gw) in ours
    per_device = families["node_network_routes"]["rows"]
    assert sum(per_device.values()) == len(families["node_network_route_info"]["rows"])
