"""VolumeAttachments: info (attacher, node), source volume, attached state and attachment metadata.
Default label volumeattachment."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, map_rows


def _info(attachment: dict[str, Any]) -> list[Row]:
    spec = attachment.get("spec") or {}
    return [(("attacher", "node"), (spec.get("attacher", ""), spec.get("nodeName", "")), 1.0)]


def _source(attachment: dict[str, Any]) -> list[Row]:
    name = ((attachment.get("spec") or {}).get("source") or {}).get("persistentVolumeName")
    return [(("volumename",), (name,), 1.0)] if name else []


def _attached(attachment: dict[str, Any]) -> list[Row]:
    return [((), (), 1.0 if (attachment.get("status") or {}).get("attached") else 0.0)]


def _metadata(attachment: dict[str, Any]) -> list[Row]:
    """Every attachmentMetadata entry as a `metadata_<key>` label (keys converted as label keys are)."""
    return map_rows((attachment.get("status") or {}).get("attachmentMetadata"), "metadata")


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        # KSM exposes every label of a VolumeAttachment, whatever --metric-labels-allowlist says.
        labels_family("kube_volumeattachment_labels", ["*"]),
        gauge("kube_volumeattachment_info", "Information about volumeattachment.", _info),
        gauge("kube_volumeattachment_created", "Unix creation timestamp", created),
        gauge("kube_volumeattachment_spec_source_persistentvolume", "PersistentVolume source reference.", _source),
        gauge("kube_volumeattachment_status_attached", "Information about volumeattachment.", _attached),
        gauge("kube_volumeattachment_status_attachment_metadata", "volumeattachment metadata.", _metadata),
    ]


SPEC = ResourceSpec("volumeattachments", "storage.k8s.io", "v1", False, ("volumeattachment",), families)
