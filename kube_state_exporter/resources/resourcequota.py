"""ResourceQuotas: hard and used amount of every quota'd resource. Default labels namespace, resourcequota."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, milli_quantity
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def _quota(resourcequota: dict[str, Any]) -> list[Row]:
    """status.hard then status.used; the resource label keeps its name as is (`services.loadbalancers`)."""
    rows: list[Row] = []
    status = resourcequota.get("status") or {}
    for kind in ("hard", "used"):
        for resource, text in sorted((status.get(kind) or {}).items()):
            value = milli_quantity(text)
            if value is None:
                continue
            rows.append((("resource", "type"), (resource, kind), value))
    return rows


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_resourcequota_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_resourcequota", "Information about resource quota.", _quota, stable=True),
        annotations_family("kube_resourcequota_annotations", allow.annotations),
        labels_family("kube_resourcequota_labels", allow.labels, stable=True),
    ]


SPEC = ResourceSpec("resourcequotas", "", "v1", True, ("namespace", "resourcequota"), families)
