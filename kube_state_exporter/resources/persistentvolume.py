"""PersistentVolumes: phase, info (storage class and the volume source's identifiers), claim reference,
capacity, volume and access modes, CSI attributes (opt-in). Default label persistentvolume."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, whole_quantity
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, deletion_timestamp

PHASES = ("Available", "Bound", "Failed", "Pending", "Released")
INFO_KEYS = ("storageclass", "gce_persistent_disk_name", "ebs_volume_id", "azure_disk_name", "fc_wwids", "fc_lun",
             "fc_target_wwns", "iscsi_target_portal", "iscsi_iqn", "iscsi_lun", "iscsi_initiator_name", "nfs_server",
             "nfs_path", "csi_driver", "csi_volume_handle", "local_path", "local_fs", "host_path", "host_path_type",
             "reclaim_policy")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# The volume sources KSM reads, in the order it tries them: only the first one set fills its labels.
SOURCE_ORDER = ("gcePersistentDisk", "awsElasticBlockStore", "azureDisk", "fc", "iscsi", "nfs", "csi", "local",
                "hostPath")


def _info(pv: dict[str, Any]) -> list[Row]:
    """Identifiers of the first volume source set (in SOURCE_ORDER); the other sources' labels stay empty."""
    spec = pv.get("spec") or {}
    kind = next((name for name in SOURCE_ORDER if spec.get(name) is not None), "")
    source = spec.get(kind) or {} if kind else {}

    def of(name: str, *keys: str) -> list[str]:
        return [_text(source.get(key)) if kind == name else "" for key in keys]

    fc_lun = _text(source.get("lun")) if kind == "fc" else ""
    iscsi_lun = str(source.get("lun") or 0) if kind == "iscsi" else ""
    values = (
        spec.get("storageClassName") or "",
        *of("gcePersistentDisk", "pdName"),
        *of("awsElasticBlockStore", "volumeID"),
        *of("azureDisk", "diskName"),
        ",".join(source.get("wwids") or []) if kind == "fc" else "", fc_lun,
        ",".join(source.get("targetWWNs") or []) if kind == "fc" else "",
        *of("iscsi", "targetPortal", "iqn"), iscsi_lun, *of("iscsi", "initiatorName"),
        *of("nfs", "server", "path"),
        *of("csi", "driver", "volumeHandle"),
        *of("local", "path", "fsType"),
        *of("hostPath", "path", "type"),
        spec.get("persistentVolumeReclaimPolicy") or "",
    )
    return [(INFO_KEYS, values, 1.0)]


def _phase(pv: dict[str, Any]) -> list[Row]:
    """Five series, 1 on the current phase; none while the phase is unset."""
    phase = (pv.get("status") or {}).get("phase")
    if not phase:
        return []
    return [(("phase",), (p,), 1.0 if p == phase else 0.0) for p in PHASES]


def _claim_ref(pv: dict[str, Any]) -> list[Row]:
    ref = (pv.get("spec") or {}).get("claimRef")
    if not ref:
        return []
    return [(("name", "claim_namespace"), (ref.get("name", ""), ref.get("namespace", "")), 1.0)]


def _capacity(pv: dict[str, Any]) -> list[Row]:
    storage = ((pv.get("spec") or {}).get("capacity") or {}).get("storage")
    value = whole_quantity(storage) if storage is not None else None
    return [((), (), value or 0.0)]


def _csi_attributes(pv: dict[str, Any]) -> list[Row]:
    csi = (pv.get("spec") or {}).get("csi")
    if not csi:
        return []
    attributes = csi.get("volumeAttributes") or {}
    return [(("csi_mounter", "csi_map_options"), (attributes.get("mounter", ""), attributes.get("mapOptions", "")),
             1.0)]


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_persistentvolume_claim_ref", "Information about the Persistent Volume Claim Reference.",
              _claim_ref, stable=True),
        annotations_family("kube_persistentvolume_annotations", allow.annotations),
        labels_family("kube_persistentvolume_labels", allow.labels, stable=True),
        gauge("kube_persistentvolume_status_phase", "The phase indicates if a volume is available, bound to a claim, "
              "or released by a claim.", _phase, stable=True),
        gauge("kube_persistentvolume_info", "Information about persistentvolume.", _info, stable=True),
        gauge("kube_persistentvolume_capacity_bytes", "Persistentvolume capacity in bytes.", _capacity, stable=True),
        gauge("kube_persistentvolume_created", "Unix creation timestamp", created),
        gauge("kube_persistentvolume_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
        gauge("kube_persistentvolume_csi_attributes", "CSI attributes of the Persistent Volume.", _csi_attributes,
              opt_in=True),
        gauge("kube_persistentvolume_volume_mode", "Volume Mode information for the PersistentVolume.",
              lambda pv: [(("volumemode",), ((pv.get("spec") or {}).get("volumeMode") or "Filesystem",), 1.0)]),
        gauge("kube_persistentvolume_access_mode", "The access mode(s) specified by the persistent volume.",
              lambda pv: [(("access_mode",), (mode,), 1.0) for mode in (pv.get("spec") or {}).get("accessModes")
                          or []]),
    ]


SPEC = ResourceSpec("persistentvolumes", "", "v1", False, ("persistentvolume",), families)
