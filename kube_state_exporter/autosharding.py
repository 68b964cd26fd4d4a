"""--auto-sharding as kube-state-metrics does it: run as a StatefulSet, this pod's ordinal is the shard and the
StatefulSet's spec.replicas the total; the StatefulSet is watched so a scale re-shards every store (a relist).
The pod is named by --pod/--pod-namespace (KSM's flags) or POD_NAME/POD_NAMESPACE (the downward API)."""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Callable
from typing import Any

from kubernetes.client import ApiClient
from kubernetes.watch.watch import iter_resp_lines

from exporter_toolkit.errors import ConfigError
from kube_state_exporter.api import cut, get
from kube_state_exporter.sharding import Shard, ordinal

log = logging.getLogger(__name__)


def pod_identity(name: str, namespace: str) -> tuple[str, str, int]:
    """(namespace, pod name, ordinal), or a ConfigError saying what is missing."""
    if not name or not namespace:
        raise ConfigError("--auto-sharding needs the pod's name and namespace: --pod and --pod-namespace, or the "
                          "POD_NAME and POD_NAMESPACE environment variables (downward API)")
    try:
        return namespace, name, ordinal(name)
    except ValueError as exc:
        raise ConfigError(f"--auto-sharding: {exc}") from exc


class AutoSharding:
    def __init__(self, api: ApiClient, namespace: str, pod_name: str, shard: Shard,
                 on_change: Callable[[], None]) -> None:
        self.api, self.namespace, self.pod_name = api, namespace, pod_name
        self.shard, self.on_change = shard, on_change
        self.statefulset = ""
        self.resource_version = ""
        self._stop = threading.Event()
        self._response = None
        self.thread = threading.Thread(target=self._run, daemon=True, name="auto-sharding")

    def _get(self, path: str, query: list[tuple[str, Any]] | None = None, timeout: tuple[float, float] = (10, 30)):
        return get(self.api, path, query, timeout)

    def resolve(self) -> None:
        """Find this pod's StatefulSet and take the shard from it; raises when the pod is not a StatefulSet's."""
        pod = json.loads(self._get(f"/api/v1/namespaces/{self.namespace}/pods/{self.pod_name}").data)
        owners = [ref for ref in (pod.get("metadata") or {}).get("ownerReferences") or ()
                  if ref.get("kind") == "StatefulSet"]
        if not owners:
            raise RuntimeError(f"--auto-sharding: pod {self.namespace}/{self.pod_name} is not owned by a "
                               "StatefulSet")
        self.statefulset = owners[0]["name"]
        statefulset = json.loads(self._get(self._statefulset_path()).data)
        self.resource_version = statefulset["metadata"].get("resourceVersion", "")
        self._apply(statefulset)

    def _statefulset_path(self) -> str:
        return f"/apis/apps/v1/namespaces/{self.namespace}/statefulsets/{self.statefulset}"

    def _apply(self, statefulset: dict[str, Any]) -> None:
        replicas = (statefulset.get("spec") or {}).get("replicas")
        total = 1 if replicas is None else int(replicas)
        before = (self.shard.shard, self.shard.total)
        if self.shard.update(ordinal(self.pod_name), max(total, 1)):
            log.info("re-sharding", extra={"statefulset": self.statefulset, "shard": self.shard.shard,
                                           "total_shards": self.shard.total, "was": f"{before[0]}/{before[1]}"})
            self.on_change()

    def start(self) -> AutoSharding:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        cut(self._response)

    def _run(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            try:
                self._watch()
                backoff = 0.2
            except Exception as exc:
                if self._stop.is_set():
                    return
                log.debug("statefulset watch ended", extra={"err": str(exc)[:200]})
                self._stop.wait(backoff * random.uniform(0.8, 1.2))
                backoff = min(backoff * 2, 30.0)
                try:
                    self.resolve()  # resync: the watch may have missed a scale
                except Exception as resolve_exc:
                    log.debug("statefulset get failed", extra={"err": str(resolve_exc)[:200]})

    def _watch(self) -> None:
        path = f"/apis/apps/v1/namespaces/{self.namespace}/statefulsets"
        query: list[tuple[str, Any]] = [("watch", "true"), ("allowWatchBookmarks", "true"),
                                        ("fieldSelector", f"metadata.name={self.statefulset}"),
                                        ("timeoutSeconds", 300)]
        if self.resource_version:
            query.append(("resourceVersion", self.resource_version))
        response = self._get(path, query, (10, 360))
        self._response = response
        try:
            for line in iter_resp_lines(response):
                if self._stop.is_set():
                    return
                if not line:
                    continue
                event = json.loads(line)
                obj = event.get("object") or {}
                if event.get("type") == "ERROR":
                    self.resource_version = ""
                    raise RuntimeError(obj.get("message", "watch error"))
                self.resource_version = (obj.get("metadata") or {}).get("resourceVersion") or self.resource_version
                if event.get("type") in ("ADDED", "MODIFIED"):
                    self._apply(obj)
        finally:
            self._response = None
            response.release_conn()
