"""List + watch, one loop per resource (and namespace), through the `kubernetes` client.

Raw JSON, not the client's models: list pages and watch lines are parsed with json.loads and handed to the
store as dicts (the model deserialisation is far slower; see benchmarks/kube_state_bench.py). The loop:
list in pages -> replace the store -> watch from the list's resourceVersion with bookmarks -> on a stream
end, watch again from the last resourceVersion seen; on `410 Gone` (as an ERROR event or an HTTP status)
relist and replace; on any other error back off exponentially (with jitter) and try again.

Logging stays quiet while the API server is away: one warning when a resource's list/watch starts failing, at
most one reminder a minute while it keeps failing (failure count, last error), one info line when it recovers.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from kube_state_exporter.resources import ResourceSpec
from kube_state_exporter.sharding import Shard
from kube_state_exporter.store import MetricsStore

log = logging.getLogger("kube_state_exporter.informer")

PAGE_SIZE = 500
MIN_WATCH_TIMEOUT = 300  # seconds; each watch asks for 5 to 10 minutes, like client-go's reflector
BACKOFF_MIN, BACKOFF_MAX = 0.2, 30.0
REMIND_EVERY = 60.0  # seconds between "still failing" warnings of one reflector
STALL_AFTER = 3  # consecutive list/watch failures after which a reflector makes the exporter not ready


class Gone(Exception):
    """The resourceVersion we hold is too old: relist."""


class Relist(Exception):
    """Asked to relist (the shard changed): not a failure."""


class FailureLog:
    """The log lines of one reflector's failures: a warning when they start, a reminder a minute at most, an info
    line on recovery. Retries stay frequent; the log does not follow them."""

    def __init__(self, name: str, remind_every: float = REMIND_EVERY, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.name, self.remind_every, self.clock = name, remind_every, clock
        self.failures = 0
        self._since = self._last_warned = 0.0

    def failed(self, exc: BaseException) -> None:
        self.failures += 1
        now = self.clock()
        error = _short(exc)
        if self.failures == 1:
            self._since = self._last_warned = now
            log.warning("list/watch failing, retrying with backoff", extra={"resource": self.name, "err": error})
        elif now - self._last_warned >= self.remind_every:
            self._last_warned = now
            log.warning("list/watch still failing", extra={"resource": self.name, "failures": self.failures,
                                                           "for_seconds": round(now - self._since),
                                                           "last_err": error})

    def succeeded(self) -> None:
        if self.failures:
            log.info("list/watch recovered", extra={"resource": self.name, "failures": self.failures,
                                                    "after_seconds": round(self.clock() - self._since)})
            self.failures = 0


def _short(exc: BaseException) -> str:
    """One line: urllib3 wraps the cause in long reprs; the innermost reason is what tells."""
    reason = getattr(exc, "reason", None)
    text = f"{type(exc).__name__}: {reason if reason is not None and not isinstance(exc, ApiException) else exc}"
    return " ".join(text.split())[:300]


class Telemetry:
    """Counters the reflectors update, read by the telemetry endpoint."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lists: dict[tuple[str, str], int] = {}
        self.watches: dict[tuple[str, str], int] = {}
        self.events: dict[tuple[str, str], int] = {}
        self.last_sync: dict[str, float] = {}

    def count(self, table: dict, key: tuple[str, str]) -> None:
        with self.lock:
            table[key] = table.get(key, 0) + 1


class Reflector:
    def __init__(self, spec: ResourceSpec, namespace: str | None, api: ApiClient, store: MetricsStore,
                 shard: Shard, telemetry: Telemetry, on_event: Callable[[str, dict[str, Any]], None] | None = None,
                 page_size: int = PAGE_SIZE, watch_timeout: int = MIN_WATCH_TIMEOUT, field_selector: str = "",
                 use_cache: bool = False) -> None:
        self.spec, self.namespace, self.api, self.store = spec, namespace, api, store
        self.field_selector = field_selector
        self.use_cache = use_cache  # --use-apiserver-cache: lists at resourceVersion=0, served from the cache
        self._relist = False
        self.shard, self.telemetry, self.on_event = shard, telemetry, on_event
        self.page_size, self.watch_timeout = page_size, watch_timeout
        self.synced = threading.Event()
        self._stop = threading.Event()
        self._response = None
        self.resource_version: str | None = None
        self.thread = threading.Thread(target=self.run, daemon=True, name=f"reflector-{spec.name}")
        self.failures = FailureLog(self.name)

    @property
    def stalled(self) -> bool:
        """Its list/watch keeps failing: what it serves is not kept up to date (not ready)."""
        return self.failures.failures >= STALL_AFTER

    @property
    def name(self) -> str:
        return self.spec.name + (f"/{self.namespace}" if self.namespace else "")

    def start(self) -> Reflector:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._cut()

    def relist(self) -> None:
        """List again now (the shard changed): the open watch is cut and the loop lists before watching."""
        self._relist = True
        self._cut()

    def _cut(self) -> None:
        response = self._response
        if response is not None:
            try:
                response.shutdown()
            except Exception:
                response.release_conn()

    # --- HTTP ------------------------------------------------------------------------------------
    def _request(self, query: list[tuple[str, Any]], timeout: tuple[float, float]):
        if self.field_selector:
            query = [*query, ("fieldSelector", self.field_selector)]
        method, url, headers, _body, _post = self.api.param_serialize(
            "GET", self.spec.list_path(self.namespace), query_params=query,
            header_params={"Accept": "application/json"}, auth_settings=["BearerToken"])
        response = self.api.call_api(method, url, header_params=headers, _request_timeout=timeout).response
        if response.status == 410:
            response.release_conn()
            raise Gone(f"{self.name}: HTTP 410")
        if response.status >= 300:
            body = response.data[:200]
            response.release_conn()
            raise ApiException(status=response.status, reason=body.decode(errors="replace"))
        return response

    # --- the loop --------------------------------------------------------------------------------
    def run(self) -> None:
        backoff = BACKOFF_MIN
        need_list = True
        while not self._stop.is_set():
            try:
                if need_list or self._relist:
                    self._relist = False
                    self._list()
                    need_list = False
                self._watch()
                backoff = BACKOFF_MIN
            except Gone as exc:
                log.info("resource version expired, relisting", extra={"resource": self.name, "err": str(exc)})
                need_list = True
            except Exception as exc:  # connection refused, reset, 5xx: back off and resume
                if self._stop.is_set():
                    return
                if self._relist:  # the watch was cut on purpose
                    continue
                self.telemetry.count(self.telemetry.watches if not need_list else self.telemetry.lists,
                                     (self.spec.name, "error"))
                self.failures.failed(exc)
                self._stop.wait(backoff * random.uniform(0.8, 1.2))
                backoff = min(backoff * 2, BACKOFF_MAX)

    def _list(self) -> None:
        seen: set[str] = set()
        count = 0
        continue_token = None
        while True:
            query: list[tuple[str, Any]] = [("limit", self.page_size)]
            if continue_token:
                query.append(("continue", continue_token))
            elif self.use_cache:
                query.append(("resourceVersion", "0"))
            response = self._request(query, (10, 120))
            try:
                page = json.loads(response.data)
            finally:
                response.release_conn()
            for item in page.get("items") or ():
                try:
                    if self.shard.keeps(item):
                        self.store.stage(seen, item)
                        count += 1
                except Exception as exc:  # an object that cannot be read is left out, never the list
                    self.store.errors.record(item, "object", exc)
            metadata = page.get("metadata") or {}
            del page
            continue_token = metadata.get("continue")
            if not continue_token:
                break
        self.store.commit(seen)
        self.failures.succeeded()
        self.resource_version = metadata.get("resourceVersion")
        self.telemetry.count(self.telemetry.lists, (self.spec.name, "success"))
        with self.telemetry.lock:
            self.telemetry.last_sync[self.spec.name] = time.time()
        self.synced.set()
        log.debug("listed", extra={"resource": self.name, "objects": count, "rv": self.resource_version})

    def _watch(self) -> None:
        timeout = int(self.watch_timeout * (1 + random.random()))
        query = [("watch", "true"), ("allowWatchBookmarks", "true"), ("timeoutSeconds", timeout)]
        if self.resource_version:
            query.append(("resourceVersion", self.resource_version))
        response = self._request(query, (10, timeout + 60))
        self._response = response
        if self._relist or self._stop.is_set():  # cut while the request was on its way
            response.release_conn()
            self._response = None
            raise Relist()
        self.failures.succeeded()
        self.telemetry.count(self.telemetry.watches, (self.spec.name, "success"))
        try:
            for line in iter_resp_lines(response):
                if self._stop.is_set():
                    return
                if self._relist:
                    raise Relist()
                if line:
                    self._handle(json.loads(line))
        finally:
            self._response = None
            response.release_conn()

    def _handle(self, event: dict[str, Any]) -> None:
        """Apply one watch event. An object that cannot be read or rendered is counted and left out, and the
        watch moves past it: it must never be retried from the same resourceVersion forever."""
        if not isinstance(event, dict):
            raise ApiException(status=500, reason=f"watch event is not an object: {type(event).__name__}")
        kind, obj = event.get("type"), event.get("object")
        if not isinstance(obj, dict):
            obj = {}
        if kind == "ERROR":
            if obj.get("code") == 410:
                raise Gone(obj.get("message", "410 Gone"))
            raise ApiException(status=obj.get("code", 500), reason=obj.get("message", "watch error"))
        metadata = obj.get("metadata")
        version = metadata.get("resourceVersion") if isinstance(metadata, dict) else None
        if not isinstance(version, str):
            version = None
        if kind == "BOOKMARK":
            self.resource_version = version or self.resource_version
            return
        if kind not in ("ADDED", "MODIFIED", "DELETED"):
            raise ApiException(status=500, reason=f"unknown watch event type {kind!r}")
        try:
            if kind == "DELETED":
                self.store.delete(obj)
            elif self.shard.keeps(obj):
                self.store.add(obj)
        except Exception as exc:
            self.store.errors.record(obj, "object", exc)
        self.resource_version = version or self.resource_version
        self.telemetry.count(self.telemetry.events, (self.spec.name, kind))
        if self.on_event is not None:
            self.on_event(kind, obj)
