"""RoleBindings (opt-in in KSM): info with the roleRef, creation time, resource version.
Default labels namespace, rolebinding."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, resource_version
from kube_state_exporter.resources.rbac_util import role_ref_info
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        annotations_family("kube_rolebinding_annotations", allow.annotations),
        labels_family("kube_rolebinding_labels", allow.labels),
        gauge("kube_rolebinding_info", "Information about rolebinding.", role_ref_info),
        gauge("kube_rolebinding_created", "Unix creation timestamp", created),
        gauge("kube_rolebinding_metadata_resource_version", "Resource version representing a specific version of "
              "the rolebinding.", resource_version),
    ]


SPEC = ResourceSpec("rolebindings", "rbac.authorization.k8s.io", "v1", True, ("namespace", "rolebinding"), families,
                    enabled_by_default=False)
