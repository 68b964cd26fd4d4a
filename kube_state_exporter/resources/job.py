"""Jobs: parallelism, completions, active/succeeded/failed, completion and failure state sets. Default labels
namespace, job_name (not `job`: that label belongs to Prometheus)."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import (
    CONDITION_STATUSES,
    created,
    deletion_timestamp,
    field,
    find_condition,
    metadata_map_rows,
    optional,
    owner_rows,
    timestamp,
)


def _condition(kind: str):
    def fn(job: dict[str, Any]) -> list[Row]:
        condition = find_condition((job.get("status") or {}).get("conditions"), kind)
        if condition is None:
            return []
        current = (condition.get("status") or "").lower()
        return [(("condition",), (s,), 1.0 if s == current else 0.0) for s in CONDITION_STATUSES]
    return fn


def _time(field: str):
    return lambda job: optional(timestamp((job.get("status") or {}).get(field)))


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_job_labels", "Kubernetes labels converted to Prometheus labels.",
              metadata_map_rows("labels", "label", allow.labels), stable=True),
        gauge("kube_job_annotations", "Kubernetes annotations converted to Prometheus labels.",
              metadata_map_rows("annotations", "annotation", allow.annotations)),
        gauge("kube_job_info", "Information about job.", lambda j: [((), (), 1.0)], stable=True),
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
        gauge("kube_job_status_failed", "The number of pods which reached Phase Failed.",
              field("status", "failed", default=0.0), stable=True),
        gauge("kube_job_status_active", "The number of actively running pods.",
              field("status", "active", default=0.0), stable=True),
        gauge("kube_job_complete", "The job has completed its execution.", _condition("Complete"), stable=True),
        gauge("kube_job_failed", "The job has failed its execution.", _condition("Failed"), stable=True),
        gauge("kube_job_status_start_time", "StartTime represents time when the job was acknowledged by the Job "
              "Manager.", _time("startTime"), stable=True),
        gauge("kube_job_status_completion_time", "CompletionTime represents time when the job was completed.",
              _time("completionTime"), stable=True),
        gauge("kube_job_owner", "Information about the Job's owner.", owner_rows, stable=True),
        gauge("kube_job_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
    ]


SPEC = ResourceSpec("jobs", "batch", "v1", True, ("namespace", "job_name"), families)
