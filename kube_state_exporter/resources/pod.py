"""Pods: kube_pod_* families, containers and init containers included. Default labels namespace, pod, uid.

Families, HELP texts, stability and order are kube-state-metrics v2.20's (internal/store/pod.go), checked against
the real binary and KSM's store tests. Where KSM reads a timestamp without a nil check, an unset one is printed
as Go's zero time (GO_ZERO_TIME), as KSM does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, counter, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import (
    condition_state_rows,
    container_resource_rows,
    created,
    deletion_timestamp,
    ip_family,
    map_rows,
    meta,
    owner_rows,
    quantity_cores,
    quantity_value,
    timestamp,
    timestamp_or_zero,
)

Pod = dict[str, Any]
PHASES = ("Pending", "Succeeded", "Failed", "Unknown", "Running")
QOS_CLASSES = ("BestEffort", "Burstable", "Guaranteed")
# Reasons kube_pod_status_reason reports, from status.reason, any condition's reason or a container's terminated
# reason; any other status.reason is reported as "Other".
STATUS_REASONS = frozenset({"Evicted", "NodeAffinity", "NodeLost", "PreemptionByScheduler", "SchedulingGated",
                            "Shutdown", "TerminationByKubelet", "UnexpectedAdmissionError"})
# DisruptionTarget reasons kube_pod_status_disruption_reason keeps; anything else is "Other".
DISRUPTION_REASONS = frozenset({"PreemptionByScheduler", "DeletionByTaintManager", "EvictionByEvictionAPI",
                                "DeletionByPodGC", "TerminationByKubelet"})


def _spec(pod: Pod) -> dict[str, Any]:
    return pod.get("spec") or {}


def _status(pod: Pod) -> dict[str, Any]:
    return pod.get("status") or {}


def _conditions(pod: Pod) -> list[dict[str, Any]]:
    return _status(pod).get("conditions") or []


# --- pod-level families ------------------------------------------------------------------------------------------

def _info(pod: Pod) -> list[Row]:
    spec, status = _spec(pod), _status(pod)
    controller = next((o for o in meta(pod).get("ownerReferences") or [] if o.get("controller")), {})
    return [(("host_ip", "pod_ip", "node", "created_by_kind", "created_by_name", "priority_class", "host_network"),
             (status.get("hostIP", ""), status.get("podIP", ""), spec.get("nodeName", ""), controller.get("kind", ""),
              controller.get("name", ""), spec.get("priorityClassName", ""),
              "true" if spec.get("hostNetwork") else "false"), 1.0)]


def _ips(pod: Pod) -> list[Row]:
    rows: list[Row] = []
    for entry in _status(pod).get("podIPs") or []:
        address = entry.get("ip", "")
        family = ip_family(address)
        if family is not None:
            rows.append((("ip", "ip_family"), (address, family), 1.0))
    return rows


def _completion_time(pod: Pod) -> list[Row]:
    finished = [timestamp_or_zero(s["state"]["terminated"].get("finishedAt"))
                for s in _status(pod).get("containerStatuses") or [] if (s.get("state") or {}).get("terminated")]
    latest = max(finished, default=0.0)
    return [((), (), latest)] if latest > 0 else []


def _start_time(pod: Pod) -> list[Row]:
    value = timestamp(_status(pod).get("startTime"))
    return [((), (), value)] if value is not None else []


def _overhead(resource: str) -> Callable[[Pod], list[Row]]:
    def fn(pod: Pod) -> list[Row]:
        overhead = _spec(pod).get("overhead") or {}
        if resource not in overhead:
            return []
        value = overhead[resource]
        try:
            return [((), (), quantity_cores(value) if resource == "cpu" else float(quantity_value(value)))]
        except ValueError:
            return []
    return fn


def _resourceclaims(pod: Pod) -> list[Row]:
    resolved = {s.get("name"): s.get("resourceClaimName", "") for s in _status(pod).get("resourceClaimStatuses") or []}
    rows: list[Row] = []
    for claim in _spec(pod).get("resourceClaims") or []:
        direct, template = claim.get("resourceClaimName", ""), claim.get("resourceClaimTemplateName", "")
        if not direct and not template:
            continue
        name = direct or resolved.get(claim.get("name"), "") or ""
        rows.append((("claim_name", "resourceclaim_name", "resourceclaim_template_name"),
                     (claim.get("name", ""), name, template), 1.0))
    return rows


def _restart_policy(pod: Pod) -> list[Row]:
    return [(("type",), (_spec(pod).get("restartPolicy", ""),), 1.0)]


def _runtimeclass(pod: Pod) -> list[Row]:
    name = _spec(pod).get("runtimeClassName")
    return [(("runtimeclass_name",), (name,), 1.0)] if name else []


def _pvc_volumes(pod: Pod) -> list[tuple[tuple[str, ...], float]]:
    """(volume, claim, ephemeral) and the read-only flag for every PVC or generic ephemeral volume."""
    name = meta(pod).get("name") or ""
    found = []
    for volume in _spec(pod).get("volumes") or []:
        claim = volume.get("persistentVolumeClaim")
        if claim is not None:
            found.append(((volume.get("name", ""), claim.get("claimName", ""), "false"),
                          1.0 if claim.get("readOnly") else 0.0))
        elif volume.get("ephemeral") is not None:
            # The ephemeral volume controller names the claim <pod>-<volume>; it has no read-only flag.
            found.append(((volume.get("name", ""), f"{name}-{volume.get('name') or ''}", "true"), 0.0))
    return found


def _pvc_info(pod: Pod) -> list[Row]:
    return [(("volume", "persistentvolumeclaim", "ephemeral"), values, 1.0) for values, _ in _pvc_volumes(pod)]


def _pvc_readonly(pod: Pod) -> list[Row]:
    return [(("volume", "persistentvolumeclaim", "ephemeral"), values, ro) for values, ro in _pvc_volumes(pod)]


def _phase(pod: Pod) -> list[Row]:
    phase = _status(pod).get("phase")
    if not phase:
        return []
    return [(("phase",), (p,), 1.0 if p == phase else 0.0) for p in PHASES]


def _qos(pod: Pod) -> list[Row]:
    qos = _status(pod).get("qosClass")
    if not qos:
        return []
    return [(("qos_class",), (q,), 1.0 if q == qos else 0.0) for q in QOS_CLASSES]


def _condition_state(kind: str) -> Callable[[Pod], list[Row]]:
    def fn(pod: Pod) -> list[Row]:
        rows: list[Row] = []
        for condition in _conditions(pod):
            if condition.get("type") == kind:
                rows.extend(condition_state_rows(condition.get("status")))
        return rows
    return fn


def _condition_time(kind: str, status: str) -> Callable[[Pod], list[Row]]:
    """lastTransitionTime of every `kind` condition in `status` (KSM reads it unconditionally)."""
    def fn(pod: Pod) -> list[Row]:
        return [((), (), timestamp_or_zero(c.get("lastTransitionTime"))) for c in _conditions(pod)
                if c.get("type") == kind and c.get("status") == status]
    return fn


def _status_reason(pod: Pod) -> list[Row]:
    status = _status(pod)
    found: set[str] = set()
    reason = status.get("reason")
    if reason:
        found.add(reason if reason in STATUS_REASONS else "Other")
    for condition in _conditions(pod):
        if condition.get("reason") in STATUS_REASONS:
            found.add(condition["reason"])
    for container in status.get("containerStatuses") or []:
        terminated = (container.get("state") or {}).get("terminated") or {}
        if terminated.get("reason") in STATUS_REASONS:
            found.add(terminated["reason"])
    return [(("reason",), (r,), 1.0) for r in sorted(found)]


def _disruption_reason(pod: Pod) -> list[Row]:
    return [(("reason",), (c.get("reason") if c.get("reason") in DISRUPTION_REASONS else "Other",), 1.0)
            for c in _conditions(pod) if c.get("type") == "DisruptionTarget"]


def _unschedulable(pod: Pod) -> list[Row]:
    return [((), (), 1.0) for c in _conditions(pod) if c.get("type") == "PodScheduled" and c.get("status") == "False"]


def _tolerations(pod: Pod) -> list[Row]:
    keys = ("key", "operator", "value", "effect", "toleration_seconds")
    seen: set[tuple[str, ...]] = set()
    rows: list[Row] = []
    for toleration in _spec(pod).get("tolerations") or []:
        seconds = toleration.get("tolerationSeconds")
        values = (toleration.get("key", ""), toleration.get("operator", ""), toleration.get("value", ""),
                  toleration.get("effect", ""), "" if seconds is None else str(seconds))
        if values not in seen:
            seen.add(values)
            rows.append((keys, values, 1.0))
    return rows


def _labelled(label: str, field_name: str) -> Callable[[Pod], list[Row]]:
    return lambda pod: [((label,), (_spec(pod).get(field_name, ""),), 1.0)]


# --- per-container families (containers from status.containerStatuses, init containers likewise) ---------------

def _statuses(statuses_field: str) -> Callable[[Pod], list[dict[str, Any]]]:
    return lambda pod: _status(pod).get(statuses_field) or []


def _container_info(statuses_field: str, spec_field: str, with_restart_policy: bool) -> Callable[[Pod], list[Row]]:
    """One series per container status whose container is in the spec (KSM skips a status without one)."""
    statuses = _statuses(statuses_field)

    def fn(pod: Pod) -> list[Row]:
        specs = {c.get("name"): c for c in _spec(pod).get(spec_field) or []}
        rows: list[Row] = []
        for s in statuses(pod):
            spec = specs.get(s.get("name"))
            if spec is None:
                continue
            keys: tuple[str, ...] = ("container", "image_spec", "image", "image_id", "container_id")
            values: tuple[str, ...] = (s.get("name", ""), spec.get("image", ""), s.get("image", ""),
                                       s.get("imageID", ""), s.get("containerID", ""))
            if with_restart_policy:
                keys, values = (*keys, "restart_policy"), (*values, spec.get("restartPolicy", ""))
            rows.append((keys, values, 1.0))
        return rows
    return fn


def _state_flag(statuses_field: str, state: str) -> Callable[[Pod], list[Row]]:
    statuses = _statuses(statuses_field)
    return lambda pod: [(("container",), (s.get("name", ""),), 1.0 if (s.get("state") or {}).get(state) is not None
                         else 0.0) for s in statuses(pod)]


def _state_reason(statuses_field: str, state_field: str, state: str) -> Callable[[Pod], list[Row]]:
    """1 with the reason (possibly empty) while the container is in `state` (or last was, for lastState)."""
    statuses = _statuses(statuses_field)

    def fn(pod: Pod) -> list[Row]:
        rows: list[Row] = []
        for s in statuses(pod):
            detail = (s.get(state_field) or {}).get(state)
            if detail is not None:
                rows.append((("container", "reason"), (s.get("name", ""), detail.get("reason", "")), 1.0))
        return rows
    return fn


def _last_terminated(statuses_field: str, value: Callable[[dict[str, Any]], float]) -> Callable[[Pod], list[Row]]:
    statuses = _statuses(statuses_field)

    def fn(pod: Pod) -> list[Row]:
        rows: list[Row] = []
        for s in statuses(pod):
            terminated = (s.get("lastState") or {}).get("terminated")
            if terminated is not None:
                rows.append((("container",), (s.get("name", ""),), value(terminated)))
        return rows
    return fn


def _exit_code(terminated: dict[str, Any]) -> float:
    return float(terminated.get("exitCode") or 0)


def _finished_at(terminated: dict[str, Any]) -> float:
    return timestamp_or_zero(terminated.get("finishedAt"))


def _state_started(statuses_field: str) -> Callable[[Pod], list[Row]]:
    statuses = _statuses(statuses_field)

    def fn(pod: Pod) -> list[Row]:
        rows: list[Row] = []
        for s in statuses(pod):
            state = s.get("state") or {}
            current = state.get("running") if state.get("running") is not None else state.get("terminated")
            if current is not None:
                rows.append((("container",), (s.get("name", ""),), timestamp_or_zero(current.get("startedAt"))))
        return rows
    return fn


def _ready(statuses_field: str) -> Callable[[Pod], list[Row]]:
    statuses = _statuses(statuses_field)
    return lambda pod: [(("container",), (s.get("name", ""),), 1.0 if s.get("ready") else 0.0) for s in statuses(pod)]


def _restarts(statuses_field: str) -> Callable[[Pod], list[Row]]:
    statuses = _statuses(statuses_field)
    return lambda pod: [(("container",), (s.get("name", ""),), float(s.get("restartCount") or 0))
                        for s in statuses(pod)]


def _resources(spec_field: str, kind: str) -> Callable[[Pod], list[Row]]:
    """requests or limits of every container of the spec, labelled with the pod's node."""
    def fn(pod: Pod) -> list[Row]:
        spec = _spec(pod)
        node = spec.get("nodeName", "")
        rows: list[Row] = []
        for container in spec.get(spec_field) or []:
            rows.extend(container_resource_rows((container.get("resources") or {}).get(kind), ("container", "node"),
                                                (container.get("name", ""), node)))
        return rows
    return fn


def families(allow: Allowlists) -> list[FamilyGenerator]:
    c, i = "containerStatuses", "initContainerStatuses"
    return [
        gauge("kube_pod_completion_time", "Completion time in unix timestamp for a pod.", _completion_time,
              stable=True),
        gauge("kube_pod_container_info", "Information about a container in a pod.",
              _container_info(c, "containers", False), stable=True),
        gauge("kube_pod_container_resource_limits", "The number of requested limit resource by a container. It is "
              "recommended to use the kube_pod_resource_limits metric exposed by kube-scheduler instead, as it is "
              "more precise.", _resources("containers", "limits"), stable=True),
        gauge("kube_pod_container_resource_requests", "The number of requested request resource by a container. It "
              "is recommended to use the kube_pod_resource_requests metric exposed by kube-scheduler instead, as it "
              "is more precise.", _resources("containers", "requests"), stable=True),
        gauge("kube_pod_container_state_started", "Start time in unix timestamp for a pod container.",
              _state_started(c), stable=True),
        gauge("kube_pod_container_status_last_terminated_reason", "Describes the last reason the container was in "
              "terminated state.", _state_reason(c, "lastState", "terminated")),
        gauge("kube_pod_container_status_last_terminated_exitcode", "Describes the exit code for the last container "
              "in terminated state.", _last_terminated(c, _exit_code)),
        gauge("kube_pod_container_status_last_terminated_timestamp", "Last terminated time for a pod container in "
              "unix timestamp.", _last_terminated(c, _finished_at)),
        gauge("kube_pod_container_status_ready", "Describes whether the containers readiness check succeeded.",
              _ready(c), stable=True),
        counter("kube_pod_container_status_restarts_total", "The number of container restarts per container.",
                _restarts(c), stable=True),
        gauge("kube_pod_container_status_running", "Describes whether the container is currently in running state.",
              _state_flag(c, "running"), stable=True),
        gauge("kube_pod_container_status_terminated", "Describes whether the container is currently in terminated "
              "state.", _state_flag(c, "terminated"), stable=True),
        gauge("kube_pod_container_status_terminated_reason", "Describes the reason the container is currently in "
              "terminated state.", _state_reason(c, "state", "terminated")),
        gauge("kube_pod_container_status_waiting", "Describes whether the container is currently in waiting state.",
              _state_flag(c, "waiting"), stable=True),
        gauge("kube_pod_container_status_waiting_reason", "Describes the reason the container is currently in "
              "waiting state.", _state_reason(c, "state", "waiting"), stable=True),
        gauge("kube_pod_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_pod_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
        gauge("kube_pod_info", "Information about pod.", _info, stable=True),
        gauge("kube_pod_ips", "Pod IP addresses", _ips),
        gauge("kube_pod_init_container_info", "Information about an init container in a pod.",
              _container_info(i, "initContainers", True), stable=True),
        gauge("kube_pod_init_container_resource_limits", "The number of requested limit resource by an init "
              "container.", _resources("initContainers", "limits")),
        gauge("kube_pod_init_container_resource_requests", "The number of requested request resource by an init "
              "container.", _resources("initContainers", "requests")),
        gauge("kube_pod_init_container_state_started", "Start time in unix timestamp for a pod init container.",
              _state_started(i)),
        gauge("kube_pod_init_container_status_last_terminated_reason", "Describes the last reason the init container "
              "was in terminated state.", _state_reason(i, "lastState", "terminated")),
        gauge("kube_pod_init_container_status_last_terminated_exitcode", "Describes the exit code for the last init "
              "container in terminated state.", _last_terminated(i, _exit_code)),
        gauge("kube_pod_init_container_status_last_terminated_timestamp", "Last terminated time for a pod init "
              "container in unix timestamp.", _last_terminated(i, _finished_at)),
        gauge("kube_pod_init_container_status_ready", "Describes whether the init containers readiness check "
              "succeeded.", _ready(i), stable=True),
        counter("kube_pod_init_container_status_restarts_total", "The number of restarts for the init container.",
                _restarts(i), stable=True),
        gauge("kube_pod_init_container_status_running", "Describes whether the init container is currently in running "
              "state.", _state_flag(i, "running"), stable=True),
        gauge("kube_pod_init_container_status_terminated", "Describes whether the init container is currently in "
              "terminated state.", _state_flag(i, "terminated"), stable=True),
        gauge("kube_pod_init_container_status_terminated_reason", "Describes the reason the init container is "
              "currently in terminated state.", _state_reason(i, "state", "terminated")),
        gauge("kube_pod_init_container_status_waiting", "Describes whether the init container is currently in waiting "
              "state.", _state_flag(i, "waiting"), stable=True),
        gauge("kube_pod_init_container_status_waiting_reason", "Describes the reason the init container is currently "
              "in waiting state.", _state_reason(i, "state", "waiting")),
        annotations_family("kube_pod_annotations", allow.annotations),
        labels_family("kube_pod_labels", allow.labels, stable=True),
        gauge("kube_pod_overhead_cpu_cores", "The pod overhead in regards to cpu cores associated with running a pod.",
              _overhead("cpu")),
        gauge("kube_pod_overhead_memory_bytes", "The pod overhead in regards to memory associated with running a "
              "pod.", _overhead("memory")),
        gauge("kube_pod_owner", "Information about the Pod's owner.", owner_rows, stable=True),
        gauge("kube_pod_resourceclaim_info", "Information about a DRA ResourceClaim referenced by a pod, one series "
              "per pod.spec.resourceClaims entry; claim_name is the pod-local reference and resourceclaim_name is the "
              "resolved ResourceClaim object name.", _resourceclaims),
        gauge("kube_pod_restart_policy", "Describes the restart policy in use by this pod.", _restart_policy,
              stable=True),
        gauge("kube_pod_runtimeclass_name_info", "The runtimeclass associated with the pod.", _runtimeclass),
        gauge("kube_pod_spec_volumes_persistentvolumeclaims_info", "Information about persistentvolumeclaim and "
              "ephemeral volumes in a pod.", _pvc_info, stable=True),
        gauge("kube_pod_spec_volumes_persistentvolumeclaims_readonly", "Describes whether a persistentvolumeclaim is "
              "mounted read only. Ephemeral volumes always report 0 since the ephemeral volume source does not "
              "support a read-only flag.", _pvc_readonly, stable=True),
        gauge("kube_pod_start_time", "Start time in unix timestamp for a pod.", _start_time, stable=True),
        gauge("kube_pod_status_phase", "The pods current phase.", _phase, stable=True),
        gauge("kube_pod_status_qos_class", "The pods current qosClass.", _qos),
        gauge("kube_pod_status_ready", "Describes whether the pod is ready to serve requests.",
              _condition_state("Ready"), stable=True),
        gauge("kube_pod_status_ready_time", "Readiness achieved time in unix timestamp for a pod.",
              _condition_time("Ready", "True")),
        gauge("kube_pod_status_initialized_time", "Initialized time in unix timestamp for a pod.",
              _condition_time("Initialized", "True")),
        gauge("kube_pod_status_container_ready_time", "Readiness achieved time in unix timestamp for a pod "
              "containers.", _condition_time("ContainersReady", "True")),
        gauge("kube_pod_status_reason", "The pod status reasons", _status_reason),
        gauge("kube_pod_status_disruption_reason", "The pod disruption condition reason", _disruption_reason),
        gauge("kube_pod_status_scheduled", "Describes the status of the scheduling process for the pod.",
              _condition_state("PodScheduled"), stable=True),
        gauge("kube_pod_status_scheduled_time", "Unix timestamp when pod moved into scheduled status",
              _condition_time("PodScheduled", "True"), stable=True),
        gauge("kube_pod_status_unschedulable", "Describes the unschedulable status for the pod.", _unschedulable,
              stable=True),
        gauge("kube_pod_status_unscheduled_time", "Unix timestamp when pod moved into unscheduled status",
              _condition_time("PodScheduled", "False")),
        gauge("kube_pod_tolerations", "Information about the pod tolerations", _tolerations),
        gauge("kube_pod_nodeselectors", "Describes the Pod nodeSelectors.",
              lambda pod: map_rows(_spec(pod).get("nodeSelector"), "nodeselector"), opt_in=True),
        gauge("kube_pod_service_account", "The service account for a pod.",
              _labelled("service_account", "serviceAccountName")),
        gauge("kube_pod_scheduler", "The scheduler for a pod.", _labelled("name", "schedulerName")),
    ]


SPEC = ResourceSpec("pods", "", "v1", True, ("namespace", "pod", "uid"), families)
