"""Jobs: parallelism, completions, active/succeeded/failed, completion and failure state sets. Default labels
namespace, job_name (not `job`: that label belongs to Prometheus)."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, one
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import (
    CONDITION_STATUSES,
    created,
    field,
    number,
    optional,
    owner_rows,
    timestamp,
)

# Failure reasons kube_job_status_failed breaks the count down by.
FAILURE_REASONS = ("BackoffLimitExceeded", "DeadlineExceeded", "Evicted")


def _conditions(job: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [c for c in (job.get("status") or {}).get("conditions") or [] if c.get("type") == kind]


def _condition(kind: str):
    """Three series (condition=true|false|unknown) per `kind` condition."""
    def fn(job: dict[str, Any]) -> list[Row]:
        rows: list[Row] = []
        for condition in _conditions(job, kind):
            current = (condition.get("status") or "").lower()
            rows.extend((("condition",), (s,), 1.0 if s == current else 0.0) for s in CONDITION_STATUSES)
        return rows
    return fn


def _failed(job: dict[str, Any]) -> list[Row]:
    """status.failed, by the reason of each Failed condition as KSM reports it: 0/1 per known reason, and the
    count under reason="" when the reason is unknown or there is no Failed condition; the plain count (no reason
    label) while nothing failed."""
    failed = number(job, "status", "failed") or 0.0
    if failed == 0:
        return [((), (), 0.0)]
    conditions = _conditions(job, "Failed")
    if not conditions:
        return [(("reason",), ("",), failed)]
    rows: list[Row] = []
    for condition in conditions:
        reason = condition.get("reason", "")
        rows.extend((("reason",), (known,), 1.0 if reason == known else 0.0) for known in FAILURE_REASONS)
        if reason not in FAILURE_REASONS:
            rows.append((("reason",), ("",), failed))
    return rows


def _suspended(job: dict[str, Any]) -> list[Row]:
    return [((), (), 1.0 if c.get("status") == "True" else 0.0) for c in _conditions(job, "Suspended")]


def _time(field: str):
    return lambda job: optional(timestamp((job.get("status") or {}).get(field)))


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        annotations_family("kube_job_annotations", allow.annotations),
        labels_family("kube_job_labels", allow.labels, stable=True),
        gauge("kube_job_info", "Information about job.", one, stable=True),
        gauge("kube_job_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_job_spec_parallelism", "The maximum desired number of pods the job should run at any given "
              "time.", field("spec", "parallelism"), stable=True),
        gauge("kube_job_spec_completions", "The desired number of successfully finished pods the job should be run "
              "with.", field("spec", "completions"), stable=True),
        gauge("kube_job_spec_active_deadline_seconds", "The duration in seconds relative to the startTime that the "
              "job may be active before the system tries to terminate it.",
              field("spec", "activeDeadlineSeconds"), stable=True),
        gauge("kube_job_status_succeeded", "The number of pods which reached Phase Succeeded.",
              field("status", "succeeded", default=0.0), stable=True),
        gauge("kube_job_status_failed", "The number of pods which reached Phase Failed and the reason for failure.",
              _failed, stable=True),
        gauge("kube_job_status_active", "The number of actively running pods.",
              field("status", "active", default=0.0), stable=True),
        gauge("kube_job_status_ready", "The number of ready pods that belong to this Job.",
              field("status", "ready", default=0.0)),
        gauge("kube_job_complete", "The job has completed its execution.", _condition("Complete"), stable=True),
        gauge("kube_job_failed", "The job has failed its execution.", _condition("Failed"), stable=True),
        gauge("kube_job_status_start_time", "StartTime represents time when the job was acknowledged by the Job "
              "Manager.", _time("startTime"), stable=True),
        gauge("kube_job_status_completion_time", "CompletionTime represents time when the job was completed.",
              _time("completionTime"), stable=True),
        gauge("kube_job_status_suspended", "The number of pods which reached Phase Suspended.", _suspended),
        gauge("kube_job_owner", "Information about the Job's owner.", owner_rows, stable=True),
    ]


SPEC = ResourceSpec("jobs", "batch", "v1", True, ("namespace", "job_name"), families)
