"""The connection loop: one thread holds every connection that is not being answered.

It accepts, completes TLS handshakes without blocking, reads request heads, and hands a connection with a
complete head to the worker pool; a worker gives a keep-alive connection back after its response. Waiting
connections cost a socket and a small object each, no thread, so thousands of slow or idle clients cannot pile
up threads and memory. Deadlines bound them: a connection that has not sent a complete request head within
`header_timeout` of its accept (or of its first byte after an idle period) is closed, and so is a keep-alive
connection idle for `idle_timeout`. Beyond `max_connections` open connections a new one is closed at once.

Why selectors and not asyncio: the work per event is a few non-blocking calls, the answering side is
ordinary blocking code (collectors, database drivers, streamed bodies) that belongs on threads anyway, and
a selectors loop keeps both the idle cost and the per-scrape hand-off to the minimum (no event-loop
machinery, no futures) while staying in the standard library.
"""

from __future__ import annotations

import contextlib
import errno
import heapq
import itertools
import logging
import selectors
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from exporter_toolkit.request import HEAD_END, MAX_HEAD_BYTES

log = logging.getLogger(__name__)

HEADER_TIMEOUT_SECONDS = 10.0
# Longer than any usual scrape interval, and Prometheus' own idle timeout for its connections (5 minutes).
IDLE_TIMEOUT_SECONDS = 300.0
MAX_CONNECTIONS = 10240
RECV_BYTES = 65536
ACCEPT_BATCH = 256
ACCEPT_PAUSE_SECONDS = 0.1  # when the process is out of file descriptors

_HANDSHAKE, _HEAD, _IDLE, _BUSY, _CLOSED = range(5)
_LISTENER, _WAKE = object(), object()
_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@dataclass
class ConnectionStats:
    """Counters of the loop, read by the exporter's own metrics (written by the loop thread only)."""

    open: int = 0
    refused: int = 0
    header_timeouts: int = 0
    idle_timeouts: int = 0


class Connection:
    """One client connection: its socket (plain or TLS) and the bytes received but not yet answered."""

    __slots__ = ("buffer", "client", "events", "generation", "phase", "scanned", "sock", "tls")

    def __init__(self, sock: socket.socket, client: str, tls: bool) -> None:
        self.sock = sock
        self.client = client
        self.tls = tls
        self.buffer = bytearray()
        self.scanned = 0  # where the next search for the end of the head starts
        self.phase = _HANDSHAKE if tls else _HEAD
        self.events = 0
        self.generation = 0

    def take_head(self) -> bytes | None:
        """The next complete request head, removed from the buffer; None when it is not all here yet."""
        end = self.buffer.find(HEAD_END, max(0, self.scanned - 3))
        if end < 0:
            self.scanned = len(self.buffer)
            return None
        head = bytes(self.buffer[:end])
        del self.buffer[:end + len(HEAD_END)]
        self.scanned = 0
        return head


class ConnectionLoop:
    """Runs in its own thread (run()); workers talk to it through resume() and closed() only."""

    def __init__(self, listeners: list[socket.socket], dispatch: Callable[[Connection], None],
                 tls_context: ssl.SSLContext | None, stats: ConnectionStats, max_connections: int = MAX_CONNECTIONS,
                 header_timeout: float = HEADER_TIMEOUT_SECONDS, idle_timeout: float = IDLE_TIMEOUT_SECONDS) -> None:
        self.listeners = listeners
        self.dispatch = dispatch
        self.tls_context = tls_context
        self.stats = stats
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._inbox: deque[tuple[bool, Connection]] = deque()
        self._deadlines: list[tuple[float, int, int, Connection]] = []
        self._sequence = itertools.count()
        self._busy = 0
        self._stop_requested = threading.Event()
        self._accept_paused_until = 0.0

    # --- called from other threads ---------------------------------------------------------------
    def stop(self) -> None:
        """Stop accepting, close waiting connections; run() returns once the busy ones are answered."""
        self._stop_requested.set()
        self._wake()

    def resume(self, conn: Connection) -> None:
        """A worker answered and the connection stays open: wait for its next request."""
        self._inbox.append((True, conn))
        self._wake()

    def closed(self, conn: Connection) -> None:
        """A worker closed the connection."""
        self._inbox.append((False, conn))
        self._wake()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # a full pipe means already awake; a closed one, stopping
            self._wake_w.send(b"\0")

    # --- the loop --------------------------------------------------------------------------------
    def run(self) -> None:
        select = self._selector.select
        for listener in self.listeners:
            self._selector.register(listener, selectors.EVENT_READ, _LISTENER)
        self._selector.register(self._wake_r, selectors.EVENT_READ, _WAKE)
        stopping = False
        try:
            while True:
                for key, _mask in select(self._timeout()):
                    data = key.data
                    if data is _LISTENER:
                        self._accept(key.fileobj)  # type: ignore[arg-type]
                    elif data is _WAKE:
                        self._drain_wake()
                    elif data.phase == _HANDSHAKE:
                        self._handshake(data)
                    elif data.phase != _CLOSED:
                        self._read(data)
                self._drain_inbox(stopping)
                self._expire()
                if not stopping and self._stop_requested.is_set():
                    stopping = True
                    self._close_listeners()
                    self._close_waiting()
                    self._drain_inbox(stopping)
                if stopping and self._busy == 0:
                    return
        finally:
            self._close_listeners()
            self._close_waiting()
            self._selector.close()
            self._wake_r.close()
            self._wake_w.close()

    def _timeout(self) -> float:
        now = time.monotonic()
        timeout = 1.0
        if self._deadlines:
            timeout = min(timeout, self._deadlines[0][0] - now)
        if self._accept_paused_until:
            if now >= self._accept_paused_until:
                self._accept_paused_until = 0.0
                for listener in self.listeners:
                    self._selector.register(listener, selectors.EVENT_READ, _LISTENER)
            else:
                timeout = min(timeout, self._accept_paused_until - now)
        return max(timeout, 0.0)

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def _drain_inbox(self, stopping: bool) -> None:
        while self._inbox:
            keep, conn = self._inbox.popleft()
            self._busy -= 1
            if not keep:
                self.stats.open -= 1
                continue
            if stopping:
                self._close(conn)
                continue
            conn.sock.setblocking(False)
            conn.events = 0
            if conn.buffer:
                conn.phase = _HEAD
                self._set_deadline(conn, self.header_timeout)
            else:
                conn.phase = _IDLE
                self._set_deadline(conn, self.idle_timeout)
            self._watch(conn, selectors.EVENT_READ)
            if conn.tls and conn.sock.pending():  # type: ignore[attr-defined]
                self._read(conn)

    def _accept(self, listener: socket.socket) -> None:
        for _ in range(ACCEPT_BATCH):
            try:
                sock, address = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    log.warning("cannot accept connections, pausing", extra={"err": exc.strerror})
                    for paused in self.listeners:
                        self._selector.unregister(paused)
                    self._accept_paused_until = time.monotonic() + ACCEPT_PAUSE_SECONDS
                return  # ECONNABORTED and the like: that client is gone
            if self.stats.open >= self.max_connections:
                self.stats.refused += 1
                sock.close()
                continue
            self.stats.open += 1
            sock.setblocking(False)
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                # Head and body can go out in separate writes: no 40 ms delayed-ACK stall.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client = str(address[0]) if isinstance(address, tuple) else str(address)
            if self.tls_context is not None:
                try:
                    sock = self.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
                except (OSError, ssl.SSLError):
                    sock.close()
                    self.stats.open -= 1
                    continue
            conn = Connection(sock, client, self.tls_context is not None)
            self._set_deadline(conn, self.header_timeout)
            self._watch(conn, selectors.EVENT_READ)

    def _handshake(self, conn: Connection) -> None:
        try:
            conn.sock.do_handshake()  # type: ignore[attr-defined]
        except ssl.SSLWantReadError:
            return self._watch(conn, selectors.EVENT_READ)
        except ssl.SSLWantWriteError:
            return self._watch(conn, selectors.EVENT_WRITE)
        except (ssl.SSLError, OSError, ValueError) as exc:
            log.debug("TLS handshake failed", extra={"client": conn.client, "err": str(exc)})
            return self._close(conn)
        conn.phase = _HEAD
        self._watch(conn, selectors.EVENT_READ)
        self._read(conn)  # the request may have come with the handshake's last flight
        return None

    def _read(self, conn: Connection) -> None:
        sock = conn.sock
        while True:
            try:
                data = sock.recv(RECV_BYTES)
            except (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                break
            except (OSError, ValueError):
                return self._close(conn)
            if not data:
                return self._close(conn)
            if conn.phase == _IDLE:
                conn.phase = _HEAD
                self._set_deadline(conn, self.header_timeout)
            conn.buffer += data
            if not conn.tls or not sock.pending():  # type: ignore[attr-defined]
                break
        if conn.buffer.find(HEAD_END, max(0, conn.scanned - 3)) >= 0:
            self._selector.unregister(sock)
            conn.events = 0
            conn.phase = _BUSY
            conn.generation += 1
            self._busy += 1
            self.dispatch(conn)
        elif len(conn.buffer) > MAX_HEAD_BYTES:
            with contextlib.suppress(OSError, ValueError):
                sock.send(_TOO_LARGE)
            self._close(conn)
        else:
            conn.scanned = len(conn.buffer)
        return None

    def _watch(self, conn: Connection, events: int) -> None:
        if conn.events == events:
            return
        if conn.events:
            self._selector.modify(conn.sock, events, conn)
        else:
            self._selector.register(conn.sock, events, conn)
        conn.events = events

    def _set_deadline(self, conn: Connection, seconds: float) -> None:
        conn.generation += 1
        heapq.heappush(self._deadlines, (time.monotonic() + seconds, next(self._sequence), conn.generation, conn))
        if len(self._deadlines) > 2 * self.stats.open + 64:
            # Each request on a keep-alive connection leaves its earlier deadline behind until that time comes
            # (up to the idle timeout): under a fast scrape loop the heap would hold minutes of them. Keep the
            # current ones only.
            self._deadlines = [entry for entry in self._deadlines
                               if entry[2] == entry[3].generation and entry[3].phase not in (_BUSY, _CLOSED)]
            heapq.heapify(self._deadlines)

    def _expire(self) -> None:
        now = time.monotonic()
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            _, _, generation, conn = heapq.heappop(deadlines)
            if generation != conn.generation or conn.phase in (_BUSY, _CLOSED):
                continue  # the connection moved on since this deadline was set
            if conn.phase == _IDLE:
                self.stats.idle_timeouts += 1
            else:
                self.stats.header_timeouts += 1
            log.debug("closing connection after its deadline", extra={"client": conn.client})
            self._close(conn)

    def _close(self, conn: Connection) -> None:
        if conn.events:
            self._selector.unregister(conn.sock)
            conn.events = 0
        with contextlib.suppress(OSError):
            conn.sock.close()
        conn.phase = _CLOSED
        conn.generation += 1
        conn.buffer = bytearray()
        self.stats.open -= 1

    def _close_listeners(self) -> None:
        for listener in self.listeners:
            if listener.fileno() < 0:
                continue
            if not self._accept_paused_until:
                with contextlib.suppress(KeyError, ValueError):
                    self._selector.unregister(listener)
            listener.close()

    def _close_waiting(self) -> None:
        if self._selector.get_map() is None:
            return
        waiting = [key.data for key in self._selector.get_map().values() if isinstance(key.data, Connection)]
        for conn in waiting:
            self._close(conn)
        self._deadlines.clear()
