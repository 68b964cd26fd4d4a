"""Secrets, metadata only: the data is never read into a metric. Default labels namespace, secret."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, one, resource_version
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, owner_rows


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_secret_info", "Information about secret.", one, stable=True),
        gauge("kube_secret_type", "Type about secret.",
              lambda s: [(("type",), (s.get("type", ""),), 1.0)], stable=True),
        annotations_family("kube_secret_annotations", allow.annotations),
        labels_family("kube_secret_labels", allow.labels, stable=True),
        gauge("kube_secret_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_secret_metadata_resource_version", "Resource version representing a specific version of "
              "secret.", resource_version),
        gauge("kube_secret_owner", "Information about the Secret's owner.",
              lambda s: owner_rows(s, with_controller=True)),
    ]


SPEC = ResourceSpec("secrets", "", "v1", True, ("namespace", "secret"), families)
