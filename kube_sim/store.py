"""The simulator's state: objects by resource, namespace and name; one global resourceVersion counter; an
event history that watches resume from; and compaction, after which an older resourceVersion is `410 Gone`."""

from __future__ import annotations

import copy
import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from kube_sim import validation
from kube_sim.errors import ApiError
from kube_sim.qos import qos_class
from kube_sim.resources import Registry, Resource


@dataclass
class Event:
    resource_version: int
    type: str  # ADDED, MODIFIED, DELETED
    resource: Resource
    namespace: str
    obj: dict[str, Any]
    _encoded: bytes | None = None

    def encoded(self) -> bytes:
        """The watch line, encoded once however many watchers send it."""
        if self._encoded is None:
            self._encoded = json.dumps({"type": self.type, "object": self.obj}, separators=(",", ":")).encode() + b"\n"
        return self._encoded


def now_rfc3339() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Store:
    """`validate=False` stores what it is given unchecked: for fixtures a server would not accept (partial objects
    from other projects' tests); `load` never validates."""

    def __init__(self, history: int = 500_000, validate: bool = True) -> None:
        self.validate = validate
        self._cluster_ips: dict[str, tuple[str, str, str]] = {}  # allocated service IP -> the service's key
        self._objects: dict[tuple[str, str, str], dict[str, Any]] = {}  # (resource key, namespace, name) -> object
        self.registry = Registry()
        # Each object's JSON, encoded once for every list and streaming list that serves it; dropped on write.
        self._json: dict[tuple[str, str, str], bytes] = {}
        self._lock = threading.Condition()
        self._rv = 0
        # Events in resourceVersion order, one per version: the event of version v is at v - _events_base - 1.
        self._events: list[Event] = []
        self._events_base = 0
        self._history = history
        self.compacted_rv = 0  # watches from below this get 410 Gone
        self.stream_generation = 0  # bumped to make every open watch stream end

    # --- reading ---------------------------------------------------------------------------------
    @property
    def resource_version(self) -> int:
        return self._rv

    def get(self, resource: Resource, namespace: str, name: str) -> dict[str, Any]:
        obj = self._objects.get((resource.key, namespace if resource.namespaced else "", name))
        if obj is None:
            raise ApiError(404, "NotFound", f'{resource.plural} "{name}" not found')
        return obj

    def list(self, resource: Resource, namespace: str | None) -> tuple[list[dict[str, Any]], int]:
        with self._lock:
            items = [obj for (key, ns, _), obj in self._objects.items()
                     if key == resource.key and (namespace is None or ns == namespace)]
            return items, self._rv

    def list_encoded(self, resource: Resource, namespace: str | None
                     ) -> tuple[list[tuple[dict[str, Any], bytes]], int]:
        """Like list, each object with its JSON (encoded outside the lock, cached while the object is current):
        serving a list is then joining bytes, as an API server's watch cache does."""
        with self._lock:
            found = [(key, obj, self._json.get(key)) for key, obj in self._objects.items()
                     if key[0] == resource.key and (namespace is None or key[1] == namespace)]
            rv = self._rv
        items = []
        fresh = []
        for key, obj, data in found:
            if data is None:
                data = json.dumps(obj, separators=(",", ":")).encode()
                fresh.append((key, obj, data))
            items.append((obj, data))
        if fresh:
            with self._lock:
                for key, obj, data in fresh:
                    if self._objects.get(key) is obj:
                        self._json[key] = data
        return items, rv

    def count(self, resource: Resource) -> int:
        return sum(1 for (key, _, _) in self._objects if key == resource.key)

    # --- writing ---------------------------------------------------------------------------------
    def _record(self, event_type: str, resource: Resource, namespace: str, obj: dict[str, Any],
                stamp: bool = True) -> None:
        self._rv += 1
        if stamp:
            obj["metadata"]["resourceVersion"] = str(self._rv)
        self._events.append(Event(self._rv, event_type, resource, namespace, obj))
        if len(self._events) > self._history * 1.25:  # trim in batches: amortised O(1) per event
            drop = len(self._events) - self._history
            del self._events[:drop]
            self._events_base += drop
            self.compacted_rv = max(self.compacted_rv, self._events_base)
        self._lock.notify_all()

    def create(self, resource: Resource, namespace: str, obj: dict[str, Any]) -> dict[str, Any]:
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        name = meta.get("name")
        if not name and meta.get("generateName"):
            name = meta["generateName"] + uuid.uuid4().hex[:5]
            meta["name"] = name
        if not name:
            raise ApiError(422, "Invalid", "metadata.name: Required value: name or generateName is required")
        with self._lock:
            if resource.namespaced:
                if ("namespaces", "", namespace) not in self._objects:
                    raise ApiError(404, "NotFound", f'namespaces "{namespace}" not found')
                meta["namespace"] = namespace
            else:
                meta.pop("namespace", None)
                namespace = ""
            key = (resource.key, namespace, name)
            if key in self._objects:
                raise ApiError(409, "AlreadyExists", f'{resource.plural} "{name}" already exists')
            meta["uid"] = meta.get("uid") or str(uuid.uuid4())
            meta["creationTimestamp"] = meta.get("creationTimestamp") or now_rfc3339()
            meta["generation"] = 1
            obj["kind"], obj["apiVersion"] = resource.kind, resource.api_version
            if self.validate:
                validation.validate(resource, obj)
            if resource.plural == "services":
                self._allocate(key, obj)
            if resource.plural == "pods":  # the API server sets it on create; the kubelet never changes it
                obj.setdefault("status", {})["qosClass"] = qos_class(obj)
            elif resource.plural == "namespaces":
                obj.setdefault("status", {"phase": "Active"})
                obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            elif resource.key == "customresourcedefinitions.apiextensions.k8s.io":
                self._define(obj)
            self._objects[key] = obj
            self._json.pop(key, None)
            self._record("ADDED", resource, namespace, obj)
            return obj

    def update(self, resource: Resource, namespace: str, name: str, obj: dict[str, Any],
               check_version: bool = True, copied: bool = False) -> dict[str, Any]:
        """`copied`: obj is already the store's own copy (mutate's), not the caller's."""
        obj = obj if copied else copy.deepcopy(obj)
        with self._lock:
            namespace = namespace if resource.namespaced else ""
            key = (resource.key, namespace, name)
            current = self._objects.get(key)
            if current is None:
                raise ApiError(404, "NotFound", f'{resource.plural} "{name}" not found')
            meta = obj.setdefault("metadata", {})
            wanted = meta.get("resourceVersion")
            if check_version and wanted and wanted != current["metadata"]["resourceVersion"]:
                raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {resource.plural} "{name}": the '
                                                "object has been modified; please apply your changes to the latest "
                                                "version and try again")
            for field in ("uid", "creationTimestamp", "namespace", "name"):
                if field in current["metadata"]:
                    meta[field] = current["metadata"][field]
            generation = current["metadata"].get("generation", 1)
            meta["generation"] = generation + 1 if obj.get("spec") != current.get("spec") else generation
            obj["kind"], obj["apiVersion"] = resource.kind, resource.api_version
            if self.validate:
                validation.validate(resource, obj)
            if resource.plural == "services" and validation.service_ips(obj) != validation.service_ips(current):
                raise ApiError(422, "Invalid", f'Service "{name}" is invalid: spec.clusterIPs[0]: Invalid value: '
                                               f"{json.dumps(validation.service_ips(obj))}: may not change once set",
                               details={"name": name, "group": "", "kind": "Service", "causes": [
                                   {"reason": "FieldValueInvalid", "field": "spec.clusterIPs[0]",
                                    "message": "spec.clusterIPs[0]: Invalid value: may not change once set"}]})
            if resource.key == "customresourcedefinitions.apiextensions.k8s.io":
                self._define(obj)
            self._objects[key] = obj
            self._json.pop(key, None)
            self._record("MODIFIED", resource, namespace, obj)
            return obj

    def mutate(self, resource: Resource, namespace: str, name: str, change) -> dict[str, Any] | None:
        """Apply `change(copy)` to the stored object and record it; None when the object is gone."""
        with self._lock:
            current = self._objects.get((resource.key, namespace if resource.namespaced else "", name))
            if current is None:
                return None
            updated = copy.deepcopy(current)
            change(updated)
            return self.update(resource, namespace, name, updated, check_version=False, copied=True)

    def delete(self, resource: Resource, namespace: str, name: str) -> dict[str, Any]:
        with self._lock:
            namespace = namespace if resource.namespaced else ""
            obj = self._objects.pop((resource.key, namespace, name), None)
            self._json.pop((resource.key, namespace, name), None)
            if obj is None:
                raise ApiError(404, "NotFound", f'{resource.plural} "{name}" not found')
            obj = copy.deepcopy(obj)
            self._release((resource.key, namespace, name))
            self._record("DELETED", resource, namespace, obj)
            if resource.plural == "namespaces":
                self._delete_where(lambda key: key[1] == name)
            elif resource.key == "customresourcedefinitions.apiextensions.k8s.io":
                served = self.registry.undefine(obj)
                if served:
                    self._delete_where(lambda key: key[0] == served[0].key)
            return obj

    def _delete_where(self, doomed) -> None:
        """Cascade: the objects of a deleted namespace, the custom objects of a deleted CRD."""
        for key in [k for k in self._objects if doomed(k)]:
            gone = self._objects.pop(key)
            self._json.pop(key, None)
            self._release(key)
            owner = self.registry.by_key(key[0])
            if owner is not None:
                self._record("DELETED", owner, key[1], copy.deepcopy(gone))

    def _allocate(self, key: tuple[str, str, str], service: dict[str, Any]) -> None:
        """A Service's cluster IPs are its own: one already allocated to another Service is refused."""
        for index, ip in enumerate(validation.service_ips(service)):
            if self.validate and self._cluster_ips.get(ip, key) != key:
                message = f"spec.clusterIPs[{index}]: Invalid value: {json.dumps([ip])}: failed to allocate IP " \
                          f"{ip}: provided IP is already allocated"
                raise ApiError(422, "Invalid", f'Service "{key[2]}" is invalid: {message}', details={
                    "name": key[2], "group": "", "kind": "Service", "causes": [
                        {"reason": "FieldValueInvalid", "field": f"spec.clusterIPs[{index}]", "message": message}]})
        for ip in validation.service_ips(service):
            self._cluster_ips[ip] = key

    def _release(self, key: tuple[str, str, str]) -> None:
        if key[0] == "services":
            for ip in [ip for ip, owner in self._cluster_ips.items() if owner == key]:
                del self._cluster_ips[ip]

    def _define(self, crd: dict[str, Any]) -> None:
        """A CRD serves its group/versions/plural at once, and says so in its status, as the API server's
        establishing controller does."""
        resources = self.registry.custom_resources(crd)
        if not resources or not all(r.group and r.plural and r.kind for r in resources):
            raise ApiError(422, "Invalid", "spec.group, spec.names.plural, spec.names.kind and one served "
                                           "spec.versions entry are required")
        self.registry.define(crd)
        names = (crd.get("spec") or {}).get("names") or {}
        now = now_rfc3339()
        crd["status"] = {"acceptedNames": {k: v for k, v in names.items()}, "storedVersions": [
            v["name"] for v in crd["spec"]["versions"] if v.get("storage")] or [resources[0].version],
            "conditions": [{"type": t, "status": "True", "reason": r, "lastTransitionTime": now, "message": m}
                           for t, r, m in (("NamesAccepted", "NoConflicts", "no conflicts found"),
                                           ("Established", "InitialNamesAccepted", "the initial names have "
                                                                                     "been accepted"))]}

    def load(self, resource: Resource, obj: dict[str, Any]) -> dict[str, Any]:
        """Hold `obj` exactly as given (no uid, timestamp, namespace or resourceVersion set), as a test fixture
        wants an object served byte for byte; its event still gets the next version of the history. Replaces an
        object of the same name. Not validated: the permissive path for fixtures such as KSM's store cases, partial
        objects from KSM's own tests (113 of the 250 would be refused by a server)."""
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        with self._lock:
            namespace = meta.get("namespace", "") if resource.namespaced else ""
            key = (resource.key, namespace, meta.get("name", ""))
            kind = "MODIFIED" if key in self._objects else "ADDED"
            self._objects[key] = obj
            self._json.pop(key, None)
            self._record(kind, resource, namespace, obj, stamp=False)
            return obj

    # --- watching --------------------------------------------------------------------------------
    def events_after(self, resource_version: int, timeout: float, generation: int) -> list[Event] | None:
        """Events newer than `resource_version`, waiting up to `timeout` for one; None when the stream must end
        (410 is decided by the caller from compacted_rv)."""
        with self._lock:
            deadline = time.monotonic() + timeout
            while True:
                if generation != self.stream_generation:
                    return None
                if self._rv > resource_version:
                    return self._events[max(0, resource_version - self._events_base):]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._lock.wait(remaining)

    def compact(self) -> None:
        """Forget the event history: any watch resuming from an older resourceVersion gets 410 Gone."""
        with self._lock:
            self.compacted_rv = self._rv
            self._events_base = self._rv
            self._events = []

    def end_streams(self) -> None:
        with self._lock:
            self.stream_generation += 1
            self._lock.notify_all()
