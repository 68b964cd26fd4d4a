"""ConfigMaps: info, creation time, resource version. Default labels namespace, configmap."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, meta, metadata_map_rows


def resource_version(obj: dict[str, Any]) -> list[Row]:
    """metadata.resourceVersion as Go's strconv.ParseFloat reads it; no series when it does not parse (Python's
    float() would also take surrounding blanks and digit underscores, Go does not)."""
    text = meta(obj).get("resourceVersion", "")
    if not isinstance(text, str) or text != text.strip() or "_" in text:
        return []
    try:
        return [((), (), float(text))]
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
    ]


SPEC = ResourceSpec("configmaps", "", "v1", True, ("namespace", "configmap"), families)
