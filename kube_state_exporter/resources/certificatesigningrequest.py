"""CertificateSigningRequests: creation time, condition counts, issued certificate length. Default labels
certificatesigningrequest, signer_name."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, meta

CONDITIONS = ("Approved", "Denied", "Failed")


def _conditions(csr: dict[str, Any]) -> list[Row]:
    """How many conditions of each type the CSR carries (KSM counts them, whatever their status)."""
    types = [c.get("type") for c in (csr.get("status") or {}).get("conditions") or []]
    return [(("condition",), (kind.lower(),), float(types.count(kind))) for kind in CONDITIONS]


def _cert_length(csr: dict[str, Any]) -> list[Row]:
    """Bytes of status.certificate (base64 in the JSON, as Go encodes []byte)."""
    encoded = (csr.get("status") or {}).get("certificate") or ""
    try:
        length = len(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        length = 0
    return [((), (), float(length))]


def _default_values(csr: dict[str, Any]) -> tuple[str, ...]:
    return meta(csr).get("name", ""), (csr.get("spec") or {}).get("signerName", "")


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        annotations_family("kube_certificatesigningrequest_annotations", allow.annotations),
        labels_family("kube_certificatesigningrequest_labels", allow.labels, stable=True),
        gauge("kube_certificatesigningrequest_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_certificatesigningrequest_condition", "The number of each certificatesigningrequest condition",
              _conditions, stable=True),
        gauge("kube_certificatesigningrequest_cert_length", "Length of the issued cert", _cert_length, stable=True),
    ]


SPEC = ResourceSpec("certificatesigningrequests", "certificates.k8s.io", "v1", False,
                    ("certificatesigningrequest", "signer_name"), families, default_values=_default_values)
