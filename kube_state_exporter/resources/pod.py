"""Pods: kube_pod_* families, containers and init containers included. Default labels namespace, pod, uid."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, counter, gauge
from kube_state_exporter.resources import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import (
    condition_state_rows,
    created,
    deletion_timestamp,
    find_condition,
    meta,
    metadata_map_rows,
    owner_rows,
    resource_rows,
    timestamp,
)

PHASES = ("Pending", "Succeeded", "Failed", "Unknown", "Running")
RESTART_POLICIES = ("Always", "Never", "OnFailure")


def _info(pod: dict[str, Any]) -> list[Row]:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    controller = next((o for o in meta(pod).get("ownerReferences") or [] if o.get("controller")), {})
    return [(("host_ip", "pod_ip", "node", "created_by_kind", "created_by_name", "priority_class", "host_network"),
             (status.get("hostIP", ""), status.get("podIP", ""), spec.get("nodeName", ""), controller.get("kind", ""),
              controller.get("name", ""), spec.get("priorityClassName", ""),
              "true" if spec.get("hostNetwork") else "false"), 1.0)]


def _phase(pod: dict[str, Any]) -> list[Row]:
    phase = (pod.get("status") or {}).get("phase")
    if not phase:
        return []
    return [(("phase",), (p,), 1.0 if p == phase else 0.0) for p in PHASES]


def _condition(kind: str):
    def fn(pod: dict[str, Any]) -> list[Row]:
        condition = find_condition((pod.get("status") or {}).get("conditions"), kind)
        return condition_state_rows(condition.get("status")) if condition else []
    return fn


def _start_time(pod: dict[str, Any]) -> list[Row]:
    value = timestamp((pod.get("status") or {}).get("startTime"))
    return [((), (), value)] if value else []


def _completion_time(pod: dict[str, Any]) -> list[Row]:
    finished = [timestamp((s.get("state") or {}).get("terminated", {}).get("finishedAt"))
                for s in (pod.get("status") or {}).get("containerStatuses") or []
                if (s.get("state") or {}).get("terminated")]
    finished = [f for f in finished if f]
    return [((), (), max(finished))] if finished else []


def _restart_policy(pod: dict[str, Any]) -> list[Row]:
    policy = (pod.get("spec") or {}).get("restartPolicy")
    return [(("type",), (policy,), 1.0)] if policy else []


def _scheduled_time(pod: dict[str, Any]) -> list[Row]:
    condition = find_condition((pod.get("status") or {}).get("conditions"), "PodScheduled")
    if condition and condition.get("status") == "True":
        value = timestamp(condition.get("lastTransitionTime"))
        return [((), (), value)] if value else []
    return []


def _unschedulable(pod: dict[str, Any]) -> list[Row]:
    condition = find_condition((pod.get("status") or {}).get("conditions"), "PodScheduled")
    return [((), (), 1.0)] if condition and condition.get("status") == "False" else []


def _qos(pod: dict[str, Any]) -> list[Row]:
    qos = (pod.get("status") or {}).get("qosClass")
    if not qos:
        return []
    return [(("qos_class",), (q,), 1.0 if q == qos else 0.0) for q in ("BestEffort", "Burstable", "Guaranteed")]


def container_families(kind: str, statuses_field: str, spec_field: str) -> list[FamilyGenerator]:
    """The per-container families; `kind` is "container" or "init_container"."""
    prefix = f"kube_pod_{kind}"
    noun = "container" if kind == "container" else "init container"

    def statuses(pod: dict[str, Any]) -> list[dict[str, Any]]:
        return (pod.get("status") or {}).get(statuses_field) or []

    def specs(pod: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {c.get("name"): c for c in (pod.get("spec") or {}).get(spec_field) or []}

    def info(pod):
        by_name = specs(pod)
        rows = []
        for s in statuses(pod):
            spec = by_name.get(s.get("name"), {})
            keys = ["container", "image_spec", "image", "image_id", "container_id"]
            values = [s.get("name", ""), spec.get("image", ""), s.get("image", ""), s.get("imageID", ""),
                      s.get("containerID", "")]
            if kind == "init_container":
                keys.append("restart_policy")
                values.append(spec.get("restartPolicy", ""))
            rows.append((tuple(keys), tuple(values), 1.0))
        return rows

    def state_flag(state: str):
        return lambda pod: [(("container",), (s.get("name", ""),), 1.0 if (s.get("state") or {}).get(state) else 0.0)
                            for s in statuses(pod)]

    def reason(state_field: str, state: str):
        def fn(pod):
            rows = []
            for s in statuses(pod):
                detail = (s.get(state_field) or {}).get(state)
                if detail and detail.get("reason"):
                    rows.append((("container", "reason"), (s.get("name", ""), detail["reason"]), 1.0))
            return rows
        return fn

    def ready(pod):
        return [(("container",), (s.get("name", ""),), 1.0 if s.get("ready") else 0.0) for s in statuses(pod)]

    def restarts(pod):
        return [(("container",), (s.get("name", ""),), float(s.get("restartCount", 0))) for s in statuses(pod)]

    def resources(kind_of: str):
        def fn(pod):
            node = (pod.get("spec") or {}).get("nodeName", "")
            rows = []
            for name, spec in specs(pod).items():
                rows.extend(resource_rows((spec.get("resources") or {}).get(kind_of), ("container", "node"),
                                          (name or "", node)))
            return rows
        return fn

    def last_terminated_exitcode(pod):
        rows = []
        for s in statuses(pod):
            terminated = (s.get("lastState") or {}).get("terminated")
            if terminated:
                rows.append((("container",), (s.get("name", ""),), float(terminated.get("exitCode", 0))))
        return rows

    def state_started(pod):
        rows = []
        for s in statuses(pod):
            state = s.get("state") or {}
            started = (state.get("running") or state.get("terminated") or {}).get("startedAt")
            value = timestamp(started)
            if value:
                rows.append((("container",), (s.get("name", ""),), value))
        return rows

    init = kind == "init_container"
    return [
        gauge(f"{prefix}_info", f"Information about {'an init container' if init else 'a container'} in a pod.",
              info, stable=True),
        gauge(f"{prefix}_status_waiting", f"Describes whether the {noun} is currently in waiting state.",
              state_flag("waiting"), stable=True),
        gauge(f"{prefix}_status_waiting_reason", f"Describes the reason the {noun} is currently in waiting state.",
              reason("state", "waiting"), stable=not init),
        gauge(f"{prefix}_status_running", f"Describes whether the {noun} is currently in running state.",
              state_flag("running"), stable=True),
        gauge(f"{prefix}_state_started", f"Start time in unix timestamp for a pod {noun}.", state_started,
              stable=not init),
        gauge(f"{prefix}_status_terminated", f"Describes whether the {noun} is currently in terminated state.",
              state_flag("terminated"), stable=True),
        gauge(f"{prefix}_status_terminated_reason", f"Describes the reason the {noun} is currently in terminated "
              "state.", reason("state", "terminated")),
        gauge(f"{prefix}_status_last_terminated_reason", f"Describes the last reason the {noun} was in terminated "
              "state.", reason("lastState", "terminated")),
        gauge(f"{prefix}_status_last_terminated_exitcode", f"Describes the exit code for the last {noun} in "
              "terminated state.", last_terminated_exitcode),
        gauge(f"{prefix}_status_ready", f"Describes whether the {noun}s readiness check succeeded.", ready,
              stable=True),
        counter(f"{prefix}_status_restarts_total",
                "The number of restarts for the init container." if init else
                "The number of container restarts per container.", restarts, stable=True),
        gauge(f"{prefix}_resource_requests", f"The number of requested request resource by {'an init container' if init else 'a container'}. It is recommended to use the kube_pod_resource_requests metric exposed by kube-scheduler instead, as it is more precise.",  # noqa: E501
              resources("requests"), stable=not init),
        gauge(f"{prefix}_resource_limits", f"The number of requested limit resource by {'an init container' if init else 'a container'}. It is recommended to use the kube_pod_resource_limits metric exposed by kube-scheduler instead, as it is more precise.",  # noqa: E501
              resources("limits"), stable=not init),
    ]


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_pod_info", "Information about pod.", _info, stable=True),
        gauge("kube_pod_start_time", "Start time in unix timestamp for a pod.", _start_time, stable=True),
        gauge("kube_pod_completion_time", "Completion time in unix timestamp for a pod.", _completion_time,
              stable=True),
        gauge("kube_pod_owner", "Information about the Pod's owner.", owner_rows, stable=True),
        gauge("kube_pod_labels", "Kubernetes labels converted to Prometheus labels.",
              metadata_map_rows("labels", "label", allow.labels), stable=True),
        gauge("kube_pod_annotations", "Kubernetes annotations converted to Prometheus labels.",
              metadata_map_rows("annotations", "annotation", allow.annotations)),
        gauge("kube_pod_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_pod_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
        gauge("kube_pod_restart_policy", "Describes the restart policy in use by this pod.", _restart_policy,
              stable=True),
        gauge("kube_pod_status_phase", "The pods current phase.", _phase, stable=True),
        gauge("kube_pod_status_qos_class", "The pods current qosClass.", _qos),
        gauge("kube_pod_status_ready", "Describes whether the pod is ready to serve requests.", _condition("Ready"),
              stable=True),
        gauge("kube_pod_status_scheduled", "Describes the status of the scheduling process for the pod.",
              _condition("PodScheduled"), stable=True),
        gauge("kube_pod_status_scheduled_time", "Unix timestamp when pod moved into scheduled status",
              _scheduled_time, stable=True),
        gauge("kube_pod_status_unschedulable", "Describes the unschedulable status for the pod.", _unschedulable,
              stable=True),
        *container_families("container", "containerStatuses", "containers"),
        *container_families("init_container", "initContainerStatuses", "initContainers"),
    ]


SPEC = ResourceSpec("pods", "", "v1", True, ("namespace", "pod", "uid"), families)
