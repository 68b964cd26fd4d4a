"""A small thread pool for requests: threads start when work arrives and end after a while without any.

Only requests being answered hold a thread; connections waiting for a request (new, half-sent or idle
keep-alive ones) are held by the connection loop. An idle daemon therefore keeps no worker threads.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

IDLE_SECONDS = 30.0


class WorkerPool:
    """At most `limit` threads; work beyond them waits in a queue for the next free one."""

    def __init__(self, limit: int, name: str, idle_seconds: float = IDLE_SECONDS) -> None:
        self.limit = max(1, limit)
        self.name = name
        self.idle_seconds = idle_seconds
        self._tasks: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()
        self._idle = 0
        self._pending = 0
        self._closed = False

    @property
    def size(self) -> int:
        return len(self._threads)

    def submit(self, task: Callable[[], None]) -> None:
        with self._lock:
            self._pending += 1
            self._tasks.put(task)
            if self._pending > self._idle and len(self._threads) < self.limit and not self._closed:
                thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True)
                self._threads.add(thread)
                thread.start()

    def _work(self) -> None:
        me = threading.current_thread()
        while True:
            with self._lock:
                self._idle += 1
            try:
                task = self._tasks.get(timeout=self.idle_seconds)
            except queue.Empty:
                with self._lock:
                    self._idle -= 1
                    # Leave only when no queued task is left without an idle thread to take it.
                    if self._pending <= self._idle or self._closed:
                        self._threads.discard(me)
                        return
                continue
            with self._lock:
                self._idle -= 1
                self._pending -= 1
            if task is None:  # close(): one sentinel per thread
                with self._lock:
                    self._threads.discard(me)
                return
            try:
                task()
            except Exception:  # a bug must cost one request, never a worker
                log.exception("request handler failed")

    def close(self, timeout: float | None = None) -> None:
        """Let queued work finish, then end every thread."""
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        for _ in threads:
            with self._lock:
                self._pending += 1
            self._tasks.put(None)
        for thread in threads:
            thread.join(timeout)
