"""PersistentVolumeClaims: phase, access modes, requested storage. Default labels namespace,
persistentvolumeclaim."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import (
    conditions_by_type,
    created,
    deletion_timestamp,
    meta,
    quantity_value,
)

PHASES = ("Lost", "Bound", "Pending")


BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"


def _info(pvc: dict[str, Any]) -> list[Row]:
    spec = pvc.get("spec") or {}
    # The beta annotation, when present, wins over spec.storageClassName (Kubernetes' GetPersistentVolumeClaimClass).
    annotations = meta(pvc).get("annotations") or {}
    storage_class = annotations.get(BETA_STORAGE_CLASS, spec.get("storageClassName") or "")
    return [(("storageclass", "volumename", "volumemode"),
             (storage_class, spec.get("volumeName", ""), spec.get("volumeMode", "")), 1.0)]


def _phase(pvc: dict[str, Any]) -> list[Row]:
    phase = (pvc.get("status") or {}).get("phase")
    return [(("phase",), (p,), 1.0 if p == phase else 0.0) for p in PHASES] if phase else []


def _storage(pvc: dict[str, Any]) -> list[Row]:
    requests = ((pvc.get("spec") or {}).get("resources") or {}).get("requests") or {}
    if "storage" not in requests or requests["storage"] == "":
        return []
    try:
        return [((), (), float(quantity_value(requests["storage"])))]
    except ValueError:
        return []



def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        labels_family("kube_persistentvolumeclaim_labels", allow.labels, stable=True),
        annotations_family("kube_persistentvolumeclaim_annotations", allow.annotations),
        gauge("kube_persistentvolumeclaim_info", "Information about persistent volume claim.", _info, stable=True),
        gauge("kube_persistentvolumeclaim_status_phase", "The phase the persistent volume claim is currently in.",
              _phase, stable=True),
        gauge("kube_persistentvolumeclaim_resource_requests_storage_bytes", "The capacity of storage requested by "
              "the persistent volume claim.", _storage, stable=True),
        gauge("kube_persistentvolumeclaim_access_mode", "The access mode(s) specified by the persistent volume "
              "claim.", lambda p: [(("access_mode",), (mode,), 1.0)
                                   for mode in (p.get("spec") or {}).get("accessModes") or []], stable=True),
        gauge("kube_persistentvolumeclaim_status_condition", "Information about status of different conditions of "
              "persistent volume claim.", conditions_by_type),
        gauge("kube_persistentvolumeclaim_created", "Unix creation timestamp", created),
        gauge("kube_persistentvolumeclaim_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
    ]


SPEC = ResourceSpec("persistentvolumeclaims", "", "v1", True, ("namespace", "persistentvolumeclaim"), families)
