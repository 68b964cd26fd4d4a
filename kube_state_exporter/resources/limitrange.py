"""LimitRanges: one series per limit type, resource and constraint. Default labels namespace, limitrange."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import milli_quantity
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created

CONSTRAINTS = ("min", "max", "default", "defaultRequest", "maxLimitRequestRatio")


def _limits(limitrange: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for limit in (limitrange.get("spec") or {}).get("limits") or []:
        for constraint in CONSTRAINTS:
            for resource, text in sorted((limit.get(constraint) or {}).items()):
                value = milli_quantity(text)
                if value is None:
                    continue
                rows.append((("resource", "type", "constraint"), (resource, limit.get("type", ""), constraint),
                             value))
    return rows


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_limitrange", "Information about limit range.", _limits, stable=True),
        gauge("kube_limitrange_created", "Unix creation timestamp", created, stable=True),
    ]


SPEC = ResourceSpec("limitranges", "", "v1", True, ("namespace", "limitrange"), families)
