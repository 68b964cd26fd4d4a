"""Roles (opt-in in KSM): info, creation time, resource version. Default labels namespace, role."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, one, resource_version
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        annotations_family("kube_role_annotations", allow.annotations),
        labels_family("kube_role_labels", allow.labels),
        gauge("kube_role_info", "Information about role.", one),
        gauge("kube_role_created", "Unix creation timestamp", created),
        gauge("kube_role_metadata_resource_version", "Resource version representing a specific version of the role.",
              resource_version),
    ]


SPEC = ResourceSpec("roles", "rbac.authorization.k8s.io", "v1", True, ("namespace", "role"), families,
                    enabled_by_default=False)
