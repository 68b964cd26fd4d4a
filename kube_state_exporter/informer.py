"""List + watch, one loop per resource (and namespace), through the `kubernetes` client.

Raw JSON, not the client's models: list pages and watch lines are parsed with json.loads and handed to the
store as dicts (the model deserialisation is far slower; see benchmarks/kube_state_bench.py). The loop:
list in pages -> replace the store -> watch from the list's resourceVersion with bookmarks -> on a stream
end, watch again from the last resourceVersion seen; on `410 Gone` (as an ERROR event or an HTTP status)
relist and replace; on any other error back off exponentially (with jitter) and try again.

Logging stays quiet while the API server is away: its reachability is one fact for all reflectors
(ApiServerHealth: one warning, a reminder a minute, one recovery line); a resource logs only what is its own
(a 403, a CRD not installed). A 410 relist is routine: debug level, counted in kube_state_metrics_watch_total.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import urllib3
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from exporter_toolkit.outage import REMIND_EVERY, OutageLog
from kube_state_exporter.api import cut, get
from kube_state_exporter.resources import ResourceSpec
from kube_state_exporter.sharding import Shard
from kube_state_exporter.store import MetricsStore

log = logging.getLogger(__name__)

PAGE_SIZE = 500
MIN_WATCH_TIMEOUT = 300  # seconds; each watch asks for 5 to 10 minutes, like client-go's reflector
BACKOFF_MIN, BACKOFF_MAX = 0.2, 30.0
STALL_AFTER = 3  # consecutive list/watch failures after which a reflector makes the exporter not ready


class Gone(Exception):
    """The resourceVersion we hold is too old: relist."""


class Relist(Exception):
    """Asked to relist (the shard changed): not a failure."""


class ApiServerHealth:
    """Whether the API server answers, one fact for every reflector: a cut connection is logged once (unreachable,
    a reminder a minute with the count of failed attempts, reachable again), not once per resource. An attempt
    that began before another reflector's success is stale and does not reopen the outage."""

    def __init__(self, host: str = "", clock: Callable[[], float] = time.monotonic,
                 remind_every: float = REMIND_EVERY) -> None:
        self.clock = clock
        self.outage = OutageLog(log, "Kubernetes API server unreachable, retrying with backoff",
                                "Kubernetes API server still unreachable", "Kubernetes API server reachable again",
                                context={"apiserver": host} if host else {}, remind_every=remind_every,
                                clock=clock, describe=_short)
        self._last_success = float("-inf")

    def failed(self, exc: BaseException, attempt_started: float) -> None:
        if attempt_started < self._last_success:
            return
        self.outage.failed(exc)

    def succeeded(self) -> None:
        self._last_success = self.clock()
        self.outage.succeeded()


def resource_failure_log(name: str, remind_every: float = REMIND_EVERY,
                         clock: Callable[[], float] = time.monotonic) -> OutageLog:
    """The failures specific to one resource (403, a CRD not installed, an answer that cannot be read)."""
    return OutageLog(log, "list/watch failing, retrying with backoff", "list/watch still failing",
                     "list/watch recovered", context={"resource": name}, remind_every=remind_every, clock=clock,
                     describe=_short)


def is_connectivity(exc: BaseException) -> bool:
    """A failure of the API server as a whole (refused, reset, timed out, 5xx, 429), not of one resource."""
    if isinstance(exc, ApiException):
        return exc.status is None or exc.status >= 500 or exc.status == 429
    return isinstance(exc, urllib3.exceptions.HTTPError | OSError | http.client.HTTPException)


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
                 use_cache: bool = False, health: ApiServerHealth | None = None,
                 list_slots: threading.Semaphore | None = None) -> None:
        self.spec, self.namespace, self.api, self.store = spec, namespace, api, store
        self.list_slots = list_slots  # shared by the reflectors: list pages fetched and rendered at once
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
        self.failures = resource_failure_log(self.name)
        self.health = health if health is not None else ApiServerHealth()
        self.failed_attempts = 0  # in a row

    @property
    def stalled(self) -> bool:
        """Its list/watch keeps failing: what it serves is not kept up to date (not ready)."""
        return self.failed_attempts >= STALL_AFTER

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
        cut(self._response)

    # --- HTTP ------------------------------------------------------------------------------------
    def _request(self, query: list[tuple[str, Any]], timeout: tuple[float, float]):
        if self.field_selector:
            query = [*query, ("fieldSelector", self.field_selector)]
        try:
            return get(self.api, self.spec.list_path(self.namespace), query, timeout)
        except ApiException as exc:
            if exc.status == 410:
                raise Gone(f"{self.name}: HTTP 410") from None
            raise

    # --- the loop --------------------------------------------------------------------------------
    def run(self) -> None:
        backoff = BACKOFF_MIN
        need_list = True
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                if need_list or self._relist:
                    self._relist = False
                    self._list()
                    need_list = False
                self._watch()
                backoff = BACKOFF_MIN
            except Gone as exc:
                log.debug("resource version expired, relisting", extra={"resource": self.name, "err": str(exc)})
                self.telemetry.count(self.telemetry.watches, (self.spec.name, "expired"))
                need_list = True
            except Exception as exc:  # connection refused, reset, 5xx: back off and resume
                if self._stop.is_set():
                    return
                if self._relist:  # the watch was cut on purpose
                    continue
                self.telemetry.count(self.telemetry.watches if not need_list else self.telemetry.lists,
                                     (self.spec.name, "error"))
                self.failed_attempts += 1
                if is_connectivity(exc):
                    self.health.failed(exc, started)
                else:
                    self.health.succeeded()  # it answered: the failure is this resource's own
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
            with self.list_slots or contextlib.nullcontext():
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
        self._succeeded()
        self.resource_version = metadata.get("resourceVersion")
        self.telemetry.count(self.telemetry.lists, (self.spec.name, "success"))
        with self.telemetry.lock:
            self.telemetry.last_sync[self.spec.name] = time.time()
        self.synced.set()
        log.debug("listed", extra={"resource": self.name, "objects": count, "rv": self.resource_version})

    def _succeeded(self) -> None:
        self.failed_attempts = 0
        self.health.succeeded()
        self.failures.succeeded()

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
        self._succeeded()
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
