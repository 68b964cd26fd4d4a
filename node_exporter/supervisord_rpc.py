"""XML-RPC to supervisord over http(s) or its unix control socket, with a timeout; imported only when the
supervisord collector runs (xmlrpc and expat cost the other configurations memory for nothing)."""

from __future__ import annotations

import http.client
import socket
import xmlrpc.client
from urllib.parse import urlparse

TIMEOUT = 10.0
Error = xmlrpc.client.Error


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=TIMEOUT)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect(self.path)


class _UnixTransport(xmlrpc.client.Transport):
    """XML-RPC over supervisord's unix control socket."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def make_connection(self, host):
        return _UnixConnection(self.path)


class _TimeoutTransport(xmlrpc.client.Transport):
    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = TIMEOUT
        return connection


class _TimeoutSafeTransport(xmlrpc.client.SafeTransport):
    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = TIMEOUT
        return connection


def server_proxy(url: str) -> xmlrpc.client.ServerProxy:
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        return xmlrpc.client.ServerProxy("http://unix/RPC2", transport=_UnixTransport(parsed.path))
    transport = _TimeoutSafeTransport() if parsed.scheme == "https" else _TimeoutTransport()
    return xmlrpc.client.ServerProxy(url, transport=transport)
