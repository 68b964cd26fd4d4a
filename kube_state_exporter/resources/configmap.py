"""ConfigMaps: info, creation time, resource version. Default labels namespace, configmap."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, deletion_timestamp, meta, metadata_map_rows


def resource_version(obj: dict[str, Any]) -> list[Row]:
    try:
        return [((), (), float(meta(obj).get("resourceVersion", "")))]
    except ValueError:
        return []


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_configmap_annotations", "Kubernetes annotations converted to Prometheus labels.",
              metadata_map_rows("annotations", "annotation", allow.annotations)),
        gauge("kube_configmap_labels", "Kubernetes labels converted to Prometheus labels.",
              metadata_map_rows("labels", "label", allow.labels), stable=True),
        gauge("kube_configmap_info", "Information about configmap.", lambda c: [((), (), 1.0)], stable=True),
        gauge("kube_configmap_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_configmap_metadata_resource_version", "Resource version representing a specific version of "
              "the configmap.", resource_version),
        gauge("kube_configmap_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
    ]


SPEC = ResourceSpec("configmaps", "", "v1", True, ("namespace", "configmap"), families)
