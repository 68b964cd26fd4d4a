"""A kubelet and a few controllers, simulated: new pods get scheduled and started; a container whose command
exits non-zero (`/bin/sh -c "exit 1"`) crashes, goes to CrashLoopBackOff and restarts with a growing back-off,
its restartCount climbing, as a real kubelet does. Deployments get a status that follows their spec.

It reacts to the store's events, so objects created with a status already filled in (bulk benchmark data)
cost it nothing."""

from __future__ import annotations

import heapq
import itertools
import re
import threading
import time
from typing import Any

from kube_sim.qos import qos_class
from kube_sim.resources import BY_PATH
from kube_sim.store import Store, now_rfc3339

PODS = BY_PATH[("", "v1", "pods")]
DEPLOYMENTS = BY_PATH[("apps", "v1", "deployments")]
_EXIT = re.compile(r"\bexit\s+(\d+)")


def exit_code(container: dict[str, Any]) -> int:
    """The exit status a container's command asks for (`exit 1`), 0 for long-running ones."""
    words = " ".join(container.get("command", []) + container.get("args", []))
    match = _EXIT.search(words)
    return int(match.group(1)) if match else 0


class Kubelet:
    def __init__(self, store: Store, nodes: tuple[str, ...] = ("sim-node-1",), backoff_base: float = 1.0,
                 backoff_max: float = 10.0, run_for: float = 0.5) -> None:
        self.store = store
        self.nodes = itertools.cycle(nodes)
        self.backoff_base, self.backoff_max, self.run_for = backoff_base, backoff_max, run_for
        self._queue: list[tuple[float, int, str, tuple[str, str]]] = []
        self._counter = itertools.count()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="kube-sim-kubelet")
        self._ip = itertools.count(2)

    def start(self) -> Kubelet:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _later(self, delay: float, action: str, key: tuple[str, str]) -> None:
        heapq.heappush(self._queue, (time.monotonic() + delay, next(self._counter), action, key))

    def _run(self) -> None:
        rv = 0
        while not self._stop.is_set():
            wait = 0.1 if not self._queue else max(0.0, min(0.1, self._queue[0][0] - time.monotonic()))
            events = self.store.events_after(rv, wait, self.store.stream_generation)
            for event in events or ():
                rv = event.resource_version
                if event.type == "DELETED":
                    continue
                if event.resource is PODS and event.type == "ADDED" and not event.obj.get("status", {}).get("phase"):
                    self._later(0.05, "schedule", (event.namespace, event.obj["metadata"]["name"]))
                elif event.resource is DEPLOYMENTS and self._deployment_stale(event.obj):
                    self._later(0.05, "deployment", (event.namespace, event.obj["metadata"]["name"]))
            if rv < self.store.compacted_rv:
                rv = self.store.resource_version
            now = time.monotonic()
            while self._queue and self._queue[0][0] <= now:
                _, _, action, key = heapq.heappop(self._queue)
                getattr(self, f"_{action}")(*key)

    # --- pods ------------------------------------------------------------------------------------
    def _schedule(self, namespace: str, name: str) -> None:
        node, ip = next(self.nodes), f"10.244.0.{next(self._ip) % 250 + 2}"

        def change(pod: dict[str, Any]) -> None:
            pod["spec"]["nodeName"] = node
            containers = pod["spec"].get("containers", [])
            pod["status"] = {
                "phase": "Pending", "hostIP": "192.168.0.10", "podIP": ip, "podIPs": [{"ip": ip}],
                "startTime": now_rfc3339(), "qosClass": qos_class(pod),
                "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": now_rfc3339()}],
                "containerStatuses": [{"name": c["name"], "image": c.get("image", ""), "imageID": "",
                                       "ready": False, "restartCount": 0, "started": False,
                                       "state": {"waiting": {"reason": "ContainerCreating"}}} for c in containers],
            }
            if pod["spec"].get("initContainers"):
                pod["status"]["initContainerStatuses"] = [
                    {"name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": True, "restartCount": 0,
                     "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now_rfc3339(),
                                              "finishedAt": now_rfc3339()}}} for c in pod["spec"]["initContainers"]]

        if self.store.mutate(PODS, namespace, name, change) is not None:
            self._later(0.2, "start", (namespace, name))

    def _start(self, namespace: str, name: str) -> None:
        crashing = []

        def change(pod: dict[str, Any]) -> None:
            containers = {c["name"]: c for c in pod["spec"].get("containers", [])}
            for status in pod["status"].get("containerStatuses", []):
                status["state"] = {"running": {"startedAt": now_rfc3339()}}
                status["started"] = True
                code = exit_code(containers.get(status["name"], {}))
                status["ready"] = code == 0
                if code:
                    crashing.append(status["name"])
                status["containerID"] = f"containerd://{status['name']}-{status['restartCount']}"
                status["imageID"] = f"docker.io/library/{status['image']}@sha256:0"
            ready = "False" if crashing else "True"
            pod["status"]["phase"] = "Running"
            pod["status"]["conditions"] = [
                {"type": kind, "status": ready if kind in ("Ready", "ContainersReady") else "True",
                 "lastTransitionTime": now_rfc3339()} for kind in ("Initialized", "Ready", "ContainersReady",
                                                                   "PodScheduled")]

        if self.store.mutate(PODS, namespace, name, change) is not None and crashing:
            self._later(self.run_for, "crash", (namespace, name))

    def _crash(self, namespace: str, name: str) -> None:
        restart = []

        def change(pod: dict[str, Any]) -> None:
            containers = {c["name"]: c for c in pod["spec"].get("containers", [])}
            never = pod["spec"].get("restartPolicy", "Always") == "Never"
            for status in pod["status"].get("containerStatuses", []):
                code = exit_code(containers.get(status["name"], {}))
                if not code or "running" not in status["state"]:
                    continue
                terminated = {"exitCode": code, "reason": "Error", "startedAt": status["state"]["running"]["startedAt"],
                              "finishedAt": now_rfc3339(), "containerID": status.get("containerID", "")}
                status["ready"] = False
                if never:
                    status["state"] = {"terminated": terminated}
                    pod["status"]["phase"] = "Failed"
                    continue
                status["lastState"] = {"terminated": terminated}
                status["restartCount"] += 1
                delay = min(self.backoff_max, self.backoff_base * 2 ** (status["restartCount"] - 1))
                status["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": f"back-off {delay:g}s "
                                               f"restarting failed container={status['name']} pod={name}"}}
                restart.append(delay)

        if self.store.mutate(PODS, namespace, name, change) is not None and restart:
            self._later(max(restart), "start", (namespace, name))

    # --- deployments -----------------------------------------------------------------------------
    @staticmethod
    def _deployment_stale(deployment: dict[str, Any]) -> bool:
        status = deployment.get("status") or {}
        return status.get("observedGeneration") != deployment["metadata"].get("generation")

    def _deployment(self, namespace: str, name: str) -> None:
        def change(deployment: dict[str, Any]) -> None:
            replicas = deployment.get("spec", {}).get("replicas", 1)
            deployment["status"] = {
                "observedGeneration": deployment["metadata"].get("generation", 1), "replicas": replicas,
                "updatedReplicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas,
                "conditions": [
                    {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                     "lastTransitionTime": now_rfc3339()},
                    {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                     "lastTransitionTime": now_rfc3339()}],
            }

        self.store.mutate(DEPLOYMENTS, namespace, name, change)
