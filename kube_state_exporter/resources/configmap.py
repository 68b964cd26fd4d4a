"""ConfigMaps: info, creation time, resource version. Default labels namespace, configmap."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, one, resource_version
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        annotations_family("kube_configmap_annotations", allow.annotations),
        labels_family("kube_configmap_labels", allow.labels, stable=True),
        gauge("kube_configmap_info", "Information about configmap.", one, stable=True),
        gauge("kube_configmap_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_configmap_metadata_resource_version", "Resource version representing a specific version of "
              "the configmap.", resource_version),
    ]


SPEC = ResourceSpec("configmaps", "", "v1", True, ("namespace", "configmap"), families)
