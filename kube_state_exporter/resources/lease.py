"""Leases: owner and holder, renew time. Default label lease (namespace follows, as KSM orders them)."""

from __future__ import annotations

import math
from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import meta, timestamp


def _owner(lease: dict[str, Any]) -> list[Row]:
    """One series per owner reference (one with empty owner labels when there is none); the holder identity
    is a label of each."""
    metadata = meta(lease)
    holder = (lease.get("spec") or {}).get("holderIdentity") or ""
    owners = metadata.get("ownerReferences") or [{}]
    return [(("owner_kind", "owner_name", "namespace", "lease_holder"),
             (owner.get("kind", ""), owner.get("name", ""), metadata.get("namespace", ""), holder), 1.0)
            for owner in owners]


def _renew_time(lease: dict[str, Any]) -> list[Row]:
    """Whole seconds (KSM drops the microseconds of the MicroTime)."""
    value = timestamp((lease.get("spec") or {}).get("renewTime"))
    return [(("namespace",), (meta(lease).get("namespace", ""),), float(math.floor(value)))] \
        if value is not None else []


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_lease_owner", "Information about the Lease's owner.", _owner),
        gauge("kube_lease_renew_time", "Kube lease renew time.", _renew_time),
    ]


SPEC = ResourceSpec("leases", "coordination.k8s.io", "v1", True, ("lease",), families)
