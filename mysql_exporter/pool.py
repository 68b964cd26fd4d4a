"""A small, bounded pool of MySQL connections: never more than `size` open to one server, connections
reused across scrapes, a broken one discarded so the next scrape reconnects by itself."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any


class PoolTimeout(Exception):
    """Every connection is in use by other scrapes for longer than this scrape may wait."""


class ConnectionPool:
    def __init__(self, connect: Callable[[], Any], size: int = 2) -> None:
        self._connect = connect
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self.size = size

    @contextlib.contextmanager
    def connection(self, timeout: float) -> Iterator[Any]:
        """Borrow a live connection; on any exception inside the block the connection is closed, not reused."""
        if not self._slots.acquire(timeout=max(timeout, 0.001)):
            raise PoolTimeout(f"all {self.size} connections busy for {timeout:.1f}s")
        with self._borrowed() as conn:
            yield conn

    @contextlib.contextmanager
    def spare_connection(self) -> Iterator[Any | None]:
        """A further connection for a scrape if a slot is free right now, else None: never waits, so a scrape
        holding one connection cannot deadlock against another scrape holding the rest."""
        if not self._slots.acquire(blocking=False):
            yield None
            return
        with self._borrowed() as conn:
            yield conn

    @contextlib.contextmanager
    def _borrowed(self) -> Iterator[Any]:
        """A connection for a slot already taken, which is released after."""
        conn = None
        try:
            conn = self._take_idle() or self._connect()
            yield conn
        except BaseException:
            if conn is not None:
                _close_quietly(conn)
                conn = None
            raise
        finally:
            if conn is not None:
                with self._lock:
                    self._idle.append(conn)
            self._slots.release()

    def _take_idle(self) -> Any | None:
        while True:
            with self._lock:
                if not self._idle:
                    return None
                conn = self._idle.pop()
            if conn.is_connected():  # one round trip: a server restart is noticed here, not mid-scrape
                return conn
            _close_quietly(conn)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            _close_quietly(conn)


def _close_quietly(conn: Any) -> None:
    with contextlib.suppress(Exception):
        conn.close()
