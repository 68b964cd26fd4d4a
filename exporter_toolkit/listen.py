"""Parsing of Go-style listen addresses (":9100", "127.0.0.1:9100", "[::1]:9100")."""

from __future__ import annotations

import socket

from exporter_toolkit.errors import ConfigError


def parse_listen_address(address: str) -> tuple[str, int]:
    """Split host and port; an empty host means every interface (dual stack where the kernel has it)."""
    host, sep, port_text = address.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ConfigError(f"invalid --web.listen-address {address!r}: expected [host]:port")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ConfigError(f"invalid --web.listen-address {address!r}: IPv6 hosts go in brackets")
    return host, int(port_text)


def address_family(host: str) -> int:
    if host in ("", "::") or ":" in host:
        return socket.AF_INET6 if socket.has_ipv6 else socket.AF_INET
    return socket.AF_INET


def display(host: str, port: int) -> str:
    if ":" in host:
        return f"[{host}]:{port}"
    return f"{host or '[::]'}:{port}"
