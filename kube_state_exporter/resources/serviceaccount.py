"""ServiceAccounts (opt-in in KSM): info, creation and deletion time, referenced secrets and image pull
secrets. Default labels namespace, serviceaccount, uid."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, deletion_timestamp


def _info(account: dict[str, Any]) -> list[Row]:
    automount = account.get("automountServiceAccountToken")
    return [(("automount_token",), ("" if automount is None else ("true" if automount else "false"),), 1.0)]


def _names(field: str):
    def fn(account: dict[str, Any]) -> list[Row]:
        return [(("name",), (ref.get("name", ""),), 1.0) for ref in account.get(field) or []]
    return fn


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_serviceaccount_info", "Information about a service account", _info),
        gauge("kube_serviceaccount_created", "Unix creation timestamp", created),
        gauge("kube_serviceaccount_deleted", "Unix deletion timestamp", deletion_timestamp),
        gauge("kube_serviceaccount_secret", "Secret being referenced by a service account", _names("secrets")),
        gauge("kube_serviceaccount_image_pull_secret", "Secret being referenced by a service account for the "
              "purpose of pulling images", _names("imagePullSecrets")),
        annotations_family("kube_serviceaccount_annotations", allow.annotations),
        labels_family("kube_serviceaccount_labels", allow.labels),
    ]


SPEC = ResourceSpec("serviceaccounts", "", "v1", True, ("namespace", "serviceaccount", "uid"), families,
                    enabled_by_default=False)
