"""CronJobs: schedule info, activity, last schedule and success times. Default labels namespace, cronjob."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources import cronschedule
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, resource_version
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import (
    created,
    field,
    meta,
    optional,
    timestamp,
)


def _info(cronjob: dict[str, Any]) -> list[Row]:
    spec = cronjob.get("spec") or {}
    return [(("schedule", "concurrency_policy", "timezone"),
             (spec.get("schedule", ""), spec.get("concurrencyPolicy", ""), _time_zone(spec)), 1.0)]


def _time_zone(spec: dict[str, Any]) -> str:
    """spec.timeZone is a pointer in Go: unset or null is "local", an empty string stays empty."""
    zone = spec.get("timeZone")
    return "local" if zone is None else zone


def _schedule(cronjob: dict[str, Any]) -> cronschedule.Schedule | None:
    spec = cronjob.get("spec") or {}
    try:
        return cronschedule.parse(spec.get("schedule") or "", spec.get("timeZone"))
    except ValueError:
        return None


def _next_schedule_time(cronjob: dict[str, Any]) -> list[Row]:
    """The run after lastScheduleTime, or after creation if it never ran; none while suspended or unparsable."""
    if (cronjob.get("spec") or {}).get("suspend"):
        return []
    since = timestamp((cronjob.get("status") or {}).get("lastScheduleTime"))
    since = since if since is not None else timestamp(meta(cronjob).get("creationTimestamp"))
    schedule = _schedule(cronjob)
    if since is None or schedule is None:
        return []
    return [((), (), schedule.next_after(since))]


def _schedule_invalid(cronjob: dict[str, Any]) -> list[Row]:
    return [((), (), 1.0)] if _schedule(cronjob) is None else []


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        annotations_family("kube_cronjob_annotations", allow.annotations),
        labels_family("kube_cronjob_labels", allow.labels, stable=True),
        gauge("kube_cronjob_info", "Info about cronjob.", _info, stable=True),
        gauge("kube_cronjob_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_cronjob_status_active", "Active holds pointers to currently running jobs.",
              lambda c: [((), (), float(len((c.get("status") or {}).get("active") or [])))], stable=True),
        gauge("kube_cronjob_status_last_schedule_time", "LastScheduleTime keeps information of when was the last "
              "time the job was successfully scheduled.",
              lambda c: optional(timestamp((c.get("status") or {}).get("lastScheduleTime"))), stable=True),
        gauge("kube_cronjob_status_last_successful_time", "LastSuccessfulTime keeps information of when was the "
              "last time the job was completed successfully.",
              lambda c: optional(timestamp((c.get("status") or {}).get("lastSuccessfulTime"))), stable=True),
        gauge("kube_cronjob_spec_suspend", "Suspend flag tells the controller to suspend subsequent executions.",
              lambda c: [((), (), 1.0 if (c.get("spec") or {}).get("suspend") else 0.0)], stable=True),
        gauge("kube_cronjob_spec_starting_deadline_seconds", "Deadline in seconds for starting the job if it misses "
              "scheduled time for any reason.", field("spec", "startingDeadlineSeconds"),
              stable=True),
        gauge("kube_cronjob_next_schedule_time", "Next time the cronjob should be scheduled. The time after "
              "lastScheduleTime, or after the cron job's creation time if it's never been scheduled. Use this to "
              "determine if the job is delayed.", _next_schedule_time, stable=True),
        gauge("kube_cronjob_schedule_invalid", "Emitted with value 1 for cronjobs whose schedule, in its configured "
              "timezone, cannot be parsed.", _schedule_invalid),
        gauge("kube_cronjob_metadata_resource_version", "Resource version representing a specific version of the "
              "cronjob.", resource_version, stable=True),
        gauge("kube_cronjob_spec_successful_job_history_limit", "Successful job history limit tells the controller "
              "how many completed jobs should be preserved.", field("spec", "successfulJobsHistoryLimit")),
        gauge("kube_cronjob_spec_failed_job_history_limit", "Failed job history limit tells the controller how many "
              "failed jobs should be preserved.", field("spec", "failedJobsHistoryLimit")),
    ]


SPEC = ResourceSpec("cronjobs", "batch", "v1", True, ("namespace", "cronjob"), families)
