"""The simulator's HTTP API: discovery (CustomResourceDefinitions add their group/version/plural while they
exist), list (with limit/continue), watch=1 chunked streams (synthetic ADDED for an unset resourceVersion,
streaming lists: sendInitialEvents=true ends the initial ADDED events with a BOOKMARK annotated
k8s.io/initial-events-end, BOOKMARK, ERROR 410 for an expired version), get, create, update, patch, delete,
and /sim/* endpoints for fault injection. kubectl gets server-side tables for `get` (NAME and AGE for every
kind, pods more). It uses the standard library's http.server, not exporter_toolkit: a test double needs none
of the production server's TLS, auth, limits or connection handling."""

from __future__ import annotations

import base64
import calendar
import contextlib
import copy
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kube_sim import validation
from kube_sim.resources import Registry, Resource
from kube_sim.store import ApiError, Store

log = logging.getLogger("kube_sim")
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def discovery_resources(registry: Registry, group: str, version: str) -> dict[str, Any]:
    resources = []
    for r in registry.all():
        if r.group == group and r.version == version:
            entry = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
                     "verbs": VERBS}
            if r.short_names:
                entry["shortNames"] = list(r.short_names)
            resources.append(entry)
            if r.plural in ("pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs"):
                resources.append({"name": f"{r.plural}/status", "singularName": "", "namespaced": r.namespaced,
                                  "kind": r.kind, "verbs": ["get", "patch", "update"]})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"{group}/{version}" if group else version,
            "resources": resources}


def selector_matches(obj: dict[str, Any], label_selector: str, field_selector: str) -> bool:
    labels = obj.get("metadata", {}).get("labels") or {}
    for term in filter(None, (t.strip() for t in label_selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    for term in filter(None, (t.strip() for t in field_selector.split(","))):
        negate = "!=" in term
        key, value = term.replace("!=", "=").replace("==", "=").split("=", 1)
        current: Any = obj
        for part in key.split("."):
            current = current.get(part, "") if isinstance(current, dict) else ""
        if (str(current or "") == value) == negate:
            return False
    return True


def age(timestamp: str | None) -> str:
    if not timestamp:
        return "<unknown>"
    seconds = max(0, int(time.time() - calendar.timegm(time.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ"))))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def table(resource: Resource, items: list[dict[str, Any]], rv: int) -> dict[str, Any]:
    """A meta.k8s.io/v1 Table, what kubectl prints for `get`."""
    if resource.plural == "pods":
        columns = ["Name", "Ready", "Status", "Restarts", "Age"]

        def cells(obj):
            statuses = obj.get("status", {}).get("containerStatuses") or []
            ready = sum(1 for s in statuses if s.get("ready"))
            restarts = sum(s.get("restartCount", 0) for s in statuses)
            reason = obj.get("status", {}).get("phase", "Pending")
            for s in statuses:
                waiting = (s.get("state") or {}).get("waiting")
                if waiting and waiting.get("reason"):
                    reason = waiting["reason"]
            return [obj["metadata"]["name"], f"{ready}/{len(obj.get('spec', {}).get('containers', []))}", reason,
                    restarts, age(obj["metadata"].get("creationTimestamp"))]
    else:
        columns = ["Name", "Age"]

        def cells(obj):
            return [obj["metadata"]["name"], age(obj["metadata"].get("creationTimestamp"))]

    return {
        "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": str(rv)},
        "columnDefinitions": [{"name": c, "type": "integer" if c == "Restarts" else "string", "format": "name"
                               if c == "Name" else "", "description": c, "priority": 0} for c in columns],
        "rows": [{"cells": cells(obj), "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                                   "metadata": obj["metadata"]}} for obj in items],
    }


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (also used for strategic merge patches: lists are replaced whole)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key == "$patch" or key.startswith("$setElementOrder"):
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(target: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    """RFC 6902 add/replace/remove (what kubectl and clients send for small edits)."""
    doc = json.loads(json.dumps(target))
    for op in operations:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].lstrip("/").split("/")]
        parent = doc
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent.setdefault(part, {})
        last = parts[-1]
        if op["op"] in ("add", "replace"):
            if isinstance(parent, list):
                index = len(parent) if last == "-" else int(last)
                if op["op"] == "add":
                    parent.insert(index, op["value"])
                else:
                    parent[index] = op["value"]
            else:
                parent[last] = op["value"]
        elif op["op"] == "remove":
            if isinstance(parent, list):
                parent.pop(int(last))
            else:
                parent.pop(last, None)
    return doc


class _Handler(BaseHTTPRequestHandler):
    server: _SimHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args) -> None:
        log.debug("%s", format % args)

    # --- plumbing --------------------------------------------------------------------------------
    def _send_json(self, status: int, body: Any) -> None:
        self._send_bytes(status, json.dumps(body, separators=(",", ":")).encode())

    def _send_bytes(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            return json.loads(raw or b"{}")
        except json.JSONDecodeError as exc:
            raise ApiError(400, "BadRequest", f"invalid JSON body: {exc}") from exc

    def _route(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = [p for p in url.path.split("/") if p]
        return parts, query

    def _dispatch(self, method: str) -> None:
        sim = self.server.sim
        sim.requests += 1
        try:
            parts, query = self._route()
            if parts and parts[0] == "sim":
                return self._sim_control(method, parts, query)
            if sim.fail_requests > 0 and parts[:1] in (["api"], ["apis"]) and len(parts) > 2:
                sim.fail_requests -= 1
                raise ApiError(500, "InternalError", "injected failure")
            discovery = self._discovery(parts)
            if discovery is not None:
                if method != "GET":
                    raise ApiError(405, "MethodNotAllowed", "method not allowed")
                return self._send_json(200, discovery)
            resource, namespace, name, subresource = self._resource_path(parts)
            if subresource not in (None, "status"):
                raise ApiError(404, "NotFound", f"subresource {subresource} is not simulated")
            getattr(self, f"_{method.lower()}")(resource, namespace, name, query)
        except ApiError as exc:
            with contextlib.suppress(OSError):
                self._send_json(exc.code, exc.status())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # --- discovery -------------------------------------------------------------------------------
    def _discovery(self, parts: list[str]) -> dict[str, Any] | None:
        registry = self.server.sim.store.registry
        if parts == ["version"]:
            return {"major": "1", "minor": "32", "gitVersion": "v1.32.0-kube-sim", "platform": "linux/amd64"}
        if parts == ["api"]:
            address = f"127.0.0.1:{self.server.server_address[1]}"
            return {"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}]}
        if parts == ["apis"]:
            groups = [{"name": group, "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in versions],
                       "preferredVersion": {"groupVersion": f"{group}/{versions[0]}", "version": versions[0]}}
                      for group, versions in sorted(registry.groups().items())]
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        if len(parts) == 2 and parts[0] == "api":
            return discovery_resources(registry, "", parts[1])
        if len(parts) == 2 and parts[0] == "apis":
            versions = registry.groups().get(parts[1])
            if not versions:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return {"kind": "APIGroup", "apiVersion": "v1", "name": parts[1],
                    "versions": [{"groupVersion": f"{parts[1]}/{v}", "version": v} for v in versions],
                    "preferredVersion": {"groupVersion": f"{parts[1]}/{versions[0]}", "version": versions[0]}}
        if len(parts) == 3 and parts[0] == "apis":
            if parts[2] not in registry.groups().get(parts[1], []):
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return discovery_resources(registry, parts[1], parts[2])
        if parts and parts[0] in ("openapi", "healthz", "livez", "readyz"):
            if parts[0] == "openapi":
                raise ApiError(404, "NotFound", "OpenAPI is not simulated")
            return {"status": "ok"}
        return None

    def _resource_path(self, parts: list[str]) -> tuple[Resource, str | None, str | None, str | None]:
        if len(parts) >= 2 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        resource = self.server.sim.store.registry.get(group, version, rest[0])
        if resource is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        name = rest[1] if len(rest) > 1 else None
        subresource = rest[2] if len(rest) > 2 else None
        return resource, namespace, name, subresource

    # --- verbs -----------------------------------------------------------------------------------
    def _get(self, resource: Resource, namespace: str | None, name: str | None, query: dict[str, str]) -> None:
        store = self.server.sim.store
        if name is not None:
            obj = store.get(resource, namespace or "", name)
            if "as=Table" in self.headers.get("Accept", ""):
                return self._send_json(200, table(resource, [obj], store.resource_version))
            return self._send_json(200, obj)
        if query.get("watch") in ("1", "true"):
            return self._watch(resource, namespace, query)
        offset, continue_token = 0, None
        snapshot = None
        if query.get("continue"):
            offset, rv, snapshot_id = (int(x) for x in base64.b64decode(query["continue"]).decode().split(":"))
            snapshot = self.server.sim.snapshots.get(snapshot_id)
            if snapshot is None:
                raise ApiError(410, "Expired", "The provided continue parameter is too old")
            items = snapshot
        else:
            if query.get("resourceVersion") == "0":
                self.server.sim.cached_lists += 1  # any version will do: what an API server serves from its cache
            items, rv = store.list_encoded(resource, namespace)  # (object, its JSON) pairs
            label_selector, field_selector = query.get("labelSelector", ""), query.get("fieldSelector", "")
            if label_selector or field_selector:
                items = [i for i in items if selector_matches(i[0], label_selector, field_selector)]
            items.sort(key=lambda i: (i[0]["metadata"].get("namespace", ""), i[0]["metadata"].get("name", "")))
        limit = int(query.get("limit") or 0)
        page = items[offset:offset + limit] if limit else items[offset:]
        if limit and offset + limit < len(items):
            # Later pages come from the same snapshot, as an API server serves them from one etcd revision.
            snapshot_id = self.server.sim.keep_snapshot(items) if snapshot is None else \
                int(base64.b64decode(query["continue"]).decode().split(":")[2])
            continue_token = base64.b64encode(f"{offset + limit}:{rv}:{snapshot_id}".encode()).decode()
        self.server.sim.lists += 1
        if "as=Table" in self.headers.get("Accept", ""):
            return self._send_json(200, table(resource, [obj for obj, _ in page], rv))
        metadata: dict[str, Any] = {"resourceVersion": str(rv)}
        if continue_token:
            metadata["continue"] = continue_token
            metadata["remainingItemCount"] = len(items) - offset - limit
        head = json.dumps({"kind": f"{resource.kind}List", "apiVersion": resource.api_version,
                           "metadata": metadata}, separators=(",", ":")).encode()
        self._send_bytes(200, b"%s,\"items\":[%s]}" % (head[:-1], b",".join(data for _, data in page)))

    def _post(self, resource: Resource, namespace: str | None, name: str | None, query: dict[str, str]) -> None:
        body = self._body()
        if query.get("dryRun"):  # checked as a create would be, not stored
            validation.validate(resource, {**body, "kind": resource.kind, "apiVersion": resource.api_version})
            return self._send_json(201, body)
        obj = self.server.sim.store.create(resource, namespace or body.get("metadata", {}).get("namespace")
                                           or "default", body)
        self._send_json(201, obj)

    def _put(self, resource: Resource, namespace: str | None, name: str | None, query: dict[str, str]) -> None:
        if name is None:
            raise ApiError(405, "MethodNotAllowed", "PUT needs a name")
        self._send_json(200, self.server.sim.store.update(resource, namespace or "", name, self._body()))

    def _patch(self, resource: Resource, namespace: str | None, name: str | None, query: dict[str, str]) -> None:
        if name is None:
            raise ApiError(405, "MethodNotAllowed", "PATCH needs a name")
        content_type = self.headers.get("Content-Type", "")
        patch = self._body()
        store = self.server.sim.store
        current = copy.deepcopy(store.get(resource, namespace or "", name))  # the stored object stays untouched
        patched = json_patch(current, patch) if "json-patch" in content_type else merge_patch(current, patch)
        patched.setdefault("metadata", {}).pop("resourceVersion", None)
        self._send_json(200, store.update(resource, namespace or "", name, patched))

    def _delete(self, resource: Resource, namespace: str | None, name: str | None, query: dict[str, str]) -> None:
        self._body()  # DeleteOptions (propagationPolicy, ...): read so the connection stays in sync
        if name is None:
            raise ApiError(405, "MethodNotAllowed", "deletecollection is not simulated")
        self._send_json(200, self.server.sim.store.delete(resource, namespace or "", name))

    # --- watch -----------------------------------------------------------------------------------
    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _watch(self, resource: Resource, namespace: str | None, query: dict[str, str]) -> None:
        sim = self.server.sim
        store = sim.store
        label_selector, field_selector = query.get("labelSelector", ""), query.get("fieldSelector", "")
        bookmarks = query.get("allowWatchBookmarks") in ("1", "true")
        timeout = float(query.get("timeoutSeconds") or 1800)
        deadline = time.monotonic() + timeout
        generation = store.stream_generation
        requested = query.get("resourceVersion", "")
        send_initial = query.get("sendInitialEvents") in ("1", "true")
        if send_initial and (not bookmarks or query.get("resourceVersionMatch") != "NotOlderThan"):
            raise ApiError(422, "Invalid", "sendInitialEvents requires allowWatchBookmarks=true and "
                                           "resourceVersionMatch=NotOlderThan")
        if query.get("resourceVersionMatch") and not send_initial:
            raise ApiError(422, "Invalid", "resourceVersionMatch is forbidden for watch unless sendInitialEvents "
                                           "is provided")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sim.watches += 1

        def wanted(event_resource: Resource, event_namespace: str, obj: dict[str, Any]) -> bool:
            return (event_resource.key == resource.key and (namespace is None or event_namespace == namespace)
                    and (not (label_selector or field_selector) or selector_matches(obj, label_selector,
                                                                                     field_selector)))

        def gone(rv: int) -> None:
            status = ApiError(410, "Expired", f"too old resource version: {rv} ({store.compacted_rv})").status()
            self._chunk(json.dumps({"type": "ERROR", "object": status}).encode() + b"\n")

        if send_initial or requested in ("", "0"):
            # A streaming list (sendInitialEvents) or a legacy watch from "any version": the current state as
            # ADDED events, taken under the store's lock together with the version live events resume from.
            items, rv = store.list_encoded(resource, namespace)
            for obj, data in items:
                if not (label_selector or field_selector) or selector_matches(obj, label_selector, field_selector):
                    self._chunk(b'{"type":"ADDED","object":%s}\n' % data)
            if send_initial:
                sim.streaming_lists += 1
                self._chunk(json.dumps({"type": "BOOKMARK", "object": {
                    "kind": resource.kind, "apiVersion": resource.api_version,
                    "metadata": {"resourceVersion": str(rv), "annotations": {"k8s.io/initial-events-end": "true"}}}
                }).encode() + b"\n")
                sim.initial_events_sent.append((resource.plural, time.perf_counter()))
        else:
            rv = int(requested)
            if rv < store.compacted_rv:
                gone(rv)
                self._chunk(b"")
                return
        last_bookmark = time.monotonic()
        try:
            while time.monotonic() < deadline:
                events = store.events_after(rv, min(sim.bookmark_interval, max(deadline - time.monotonic(), 0.01)),
                                            generation)
                if events is None:  # streams dropped by fault injection: cut the connection, no goodbye
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if rv < store.compacted_rv:
                    gone(rv)
                    break
                for event in events:
                    rv = event.resource_version
                    if wanted(event.resource, event.namespace, event.obj):
                        self._chunk(event.encoded())
                if bookmarks and time.monotonic() - last_bookmark >= sim.bookmark_interval:
                    bookmark = {"type": "BOOKMARK", "object": {
                        "kind": resource.kind, "apiVersion": resource.api_version,
                        "metadata": {"resourceVersion": str(rv)}}}
                    self._chunk(json.dumps(bookmark).encode() + b"\n")
                    last_bookmark = time.monotonic()
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    # --- fault injection -------------------------------------------------------------------------
    def _sim_control(self, method: str, parts: list[str], query: dict[str, str]) -> None:
        sim = self.server.sim
        action = parts[1] if len(parts) > 1 else ""
        if action == "stats":
            return self._send_json(200, {"resourceVersion": sim.store.resource_version, "lists": sim.lists,
                                         "watches": sim.watches, "requests": sim.requests,
                                         "cached_lists": sim.cached_lists, "streaming_lists": sim.streaming_lists,
                                         "compacted": sim.store.compacted_rv})
        if method != "POST":
            raise ApiError(405, "MethodNotAllowed", "POST /sim/<action>")
        if action == "drop-streams":
            sim.store.end_streams()
        elif action == "expire":
            sim.store.compact()
            sim.store.end_streams()
        elif action == "fail":
            sim.fail_requests = int(query.get("count", "1"))
        elif action == "restart":
            threading.Thread(target=sim.restart, kwargs={"downtime": float(query.get("downtime", "0.5"))},
                             daemon=True).start()
        else:
            raise ApiError(404, "NotFound", f"unknown simulator action {action!r}")
        self._send_json(200, {"ok": True})


class _SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, sim: Simulator) -> None:
        self.sim = sim
        super().__init__(address, _Handler)


class Simulator:
    """Owns the store, the HTTP server and (optionally) the kubelet; restartable on the same port."""

    def __init__(self, store: Store | None = None, host: str = "127.0.0.1", port: int = 0,
                 bookmark_interval: float = 1.0) -> None:
        self.store = store or Store()
        self.host = host
        self.port = port
        self.bookmark_interval = bookmark_interval
        self.fail_requests = 0
        self.requests = self.lists = self.watches = 0
        self.cached_lists = 0  # lists with resourceVersion=0
        self.streaming_lists = 0  # watches with sendInitialEvents=true
        # (plural, perf_counter) when a streaming list's initial-events-end bookmark was written: a client that
        # applies events as it reads them (client-go's reflector) is synced then, which benchmarks use
        self.initial_events_sent: list[tuple[str, float]] = []
        self.snapshots: dict[int, list] = {}  # paged lists in progress (a few kept)
        self._snapshot_ids = iter(range(1, 1 << 62))
        self._server: _SimHTTPServer | None = None
        self._lock = threading.Lock()

    def keep_snapshot(self, items: list) -> int:
        with self._lock:
            snapshot_id = next(self._snapshot_ids)
            self.snapshots[snapshot_id] = items
            while len(self.snapshots) > 32:
                self.snapshots.pop(min(self.snapshots))
            return snapshot_id

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Simulator:
        with self._lock:
            self._server = _SimHTTPServer((self.host, self.port), self)
            self.port = self._server.server_address[1]
            threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                             name="kube-sim-http").start()
        return self

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            self.store.end_streams()
            server.shutdown()
            server.server_close()

    def restart(self, downtime: float = 0.5) -> None:
        """Like an API server restart: every connection is cut, nothing is served for `downtime` seconds."""
        self.stop()
        time.sleep(downtime)
        for _ in range(50):
            try:
                self.start()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"could not rebind port {self.port}")
