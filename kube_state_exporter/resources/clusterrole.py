"""ClusterRoles (opt-in in KSM): info, creation time, resource version. Default label clusterrole."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, one, resource_version
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        annotations_family("kube_clusterrole_annotations", allow.annotations),
        labels_family("kube_clusterrole_labels", allow.labels),
        gauge("kube_clusterrole_info", "Information about cluster role.", one),
        gauge("kube_clusterrole_created", "Unix creation timestamp", created),
        gauge("kube_clusterrole_metadata_resource_version", "Resource version representing a specific version of "
              "the cluster role.", resource_version),
    ]


SPEC = ResourceSpec("clusterroles", "rbac.authorization.k8s.io", "v1", False, ("clusterrole",), families,
                    enabled_by_default=False)
