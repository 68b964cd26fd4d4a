"""Deployments: replicas, conditions, strategy, generation. Default labels namespace, deployment."""

from __future__ import annotations

import math
import re
from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import (
    condition_rows,
    created,
    deletion_timestamp,
    field,
    optional,
    owner_rows,
)

# Reasons the deployment controller sets (k8s deployment_util.go); anything else is reported as "unknown"
# (KSM's cardinality guard).
KNOWN_REASONS = {"", "ReplicaSetUpdated", "ReplicaSetCreateError", "NewReplicaSetCreated", "FoundNewReplicaSet",
                 "NewReplicaSetAvailable", "ProgressDeadlineExceeded", "DeploymentPaused", "DeploymentResumed",
                 "MinimumReplicasAvailable", "MinimumReplicasUnavailable"}


def _conditions(deployment: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for condition in (deployment.get("status") or {}).get("conditions") or []:
        reason = condition.get("reason") or ""
        rows.extend(condition_rows(condition.get("status"), ("reason", "condition"),
                                   (reason if reason in KNOWN_REASONS else "unknown", condition.get("type", ""))))
    return rows


def _int_or_percent(value: Any, replicas: float, round_up: bool) -> float | None:
    """intstr.GetScaledValueFromIntOrPercent: an int as is, "<int>%" of replicas rounded; anything else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.endswith("%") and re.fullmatch(r"[+-]?[0-9]+", value[:-1]):
        scaled = int(value[:-1]) * replicas / 100
        return float(math.ceil(scaled) if round_up else math.floor(scaled))
    return None


def _strategy(field: str, round_up: bool):
    """Only what the object states: no series without spec.replicas, spec.strategy.rollingUpdate and the field
    (the API server's 25% default is not assumed), nor for a value that does not parse."""
    def fn(deployment: dict[str, Any]) -> list[Row]:
        spec = deployment.get("spec") or {}
        rolling = (spec.get("strategy") or {}).get("rollingUpdate")
        replicas = spec.get("replicas")
        if rolling is None or replicas is None or rolling.get(field) is None:
            return []
        return optional(_int_or_percent(rolling[field], replicas, round_up))
    return fn


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_deployment_owner", "Information about the Deployment's owner.",
              lambda d: owner_rows(d, with_controller=False)),
        gauge("kube_deployment_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_deployment_status_replicas", "The number of replicas per deployment.",
              field("status", "replicas", default=0.0), stable=True),
        gauge("kube_deployment_status_replicas_ready", "The number of ready replicas per deployment.",
              field("status", "readyReplicas", default=0.0), stable=True),
        gauge("kube_deployment_status_replicas_available", "The number of available replicas per deployment.",
              field("status", "availableReplicas", default=0.0), stable=True),
        gauge("kube_deployment_status_replicas_unavailable", "The number of unavailable replicas per deployment.",
              field("status", "unavailableReplicas", default=0.0), stable=True),
        gauge("kube_deployment_status_replicas_updated", "The number of updated replicas per deployment.",
              field("status", "updatedReplicas", default=0.0), stable=True),
        gauge("kube_deployment_status_terminating_replicas", "The number of terminating replicas per deployment.",
              field("status", "terminatingReplicas")),
        gauge("kube_deployment_status_observed_generation", "The generation observed by the deployment controller.",
              field("status", "observedGeneration", default=0.0), stable=True),
        gauge("kube_deployment_status_condition", "The current status conditions of a deployment.", _conditions,
              stable=True),
        gauge("kube_deployment_spec_replicas", "Number of desired pods for a deployment.",
              field("spec", "replicas"), stable=True),
        gauge("kube_deployment_spec_paused", "Whether the deployment is paused and will not be processed by the "
              "deployment controller.", lambda d: [((), (), 1.0 if (d.get("spec") or {}).get("paused") else 0.0)],
              stable=True),
        gauge("kube_deployment_spec_strategy_rollingupdate_max_unavailable", "Maximum number of unavailable "
              "replicas during a rolling update of a deployment.", _strategy("maxUnavailable", False), stable=True),
        gauge("kube_deployment_spec_strategy_rollingupdate_max_surge", "Maximum number of replicas that can be "
              "scheduled above the desired number of replicas during a rolling update of a deployment.",
              _strategy("maxSurge", True), stable=True),
        gauge("kube_deployment_metadata_generation", "Sequence number representing a specific generation of the "
              "desired state.", field("metadata", "generation", default=0.0), stable=True),
        gauge("kube_deployment_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
        annotations_family("kube_deployment_annotations", allow.annotations),
        labels_family("kube_deployment_labels", allow.labels, stable=True),
    ]


SPEC = ResourceSpec("deployments", "apps", "v1", True, ("namespace", "deployment"), families)
