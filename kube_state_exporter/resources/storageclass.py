"""StorageClasses: info (provisioner, reclaim policy, binding mode), creation time. Default label
storageclass."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def _info(storageclass: dict[str, Any]) -> list[Row]:
    """Unset policies read as the API server's defaults, Delete and Immediate, as KSM reports them."""
    return [(("provisioner", "reclaim_policy", "volume_binding_mode"),
             (storageclass.get("provisioner", ""), storageclass.get("reclaimPolicy") or "Delete",
              storageclass.get("volumeBindingMode") or "Immediate"), 1.0)]


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_storageclass_info", "Information about storageclass.", _info, stable=True),
        gauge("kube_storageclass_created", "Unix creation timestamp", created, stable=True),
        annotations_family("kube_storageclass_annotations", allow.annotations),
        labels_family("kube_storageclass_labels", allow.labels, stable=True),
    ]


SPEC = ResourceSpec("storageclasses", "storage.k8s.io", "v1", False, ("storageclass",), families)
