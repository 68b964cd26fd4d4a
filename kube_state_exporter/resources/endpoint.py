"""Endpoints (opt-in in KSM, superseded by EndpointSlices): info, creation time, every address with its
port and readiness, the ports (deprecated family). Default labels namespace, endpoint."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, one
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def _port_values(port: dict[str, Any]) -> tuple[str, str, str]:
    """(protocol, number, name) of an EndpointPort."""
    number = port.get("port")
    return port.get("protocol", ""), "" if number is None else str(number), port.get("name", "")


def _addresses(endpoints: dict[str, Any]) -> list[Row]:
    """Per subset and port: the ready addresses (ready="true"), then the not ready ones."""
    rows: list[Row] = []
    keys = ("port_protocol", "port_number", "port_name", "ip", "ready")
    for subset in endpoints.get("subsets") or []:
        for port in subset.get("ports") or []:
            protocol, number, name = _port_values(port)
            for field, ready in (("addresses", "true"), ("notReadyAddresses", "false")):
                for address in subset.get(field) or []:
                    rows.append((keys, (protocol, number, name, address.get("ip", ""), ready), 1.0))
    return rows


def _ports(endpoints: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for subset in endpoints.get("subsets") or []:
        for port in subset.get("ports") or []:
            protocol, number, name = _port_values(port)
            rows.append((("port_name", "port_protocol", "port_number"), (name, protocol, number), 1.0))
    return rows


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_endpoint_info", "Information about endpoint.", one, stable=True),
        gauge("kube_endpoint_created", "Unix creation timestamp", created, stable=True),
        annotations_family("kube_endpoint_annotations", allow.annotations),
        labels_family("kube_endpoint_labels", allow.labels, stable=True),
        gauge("kube_endpoint_address", "Information about Endpoint available and non available addresses.",
              _addresses, stable=True),
        gauge("kube_endpoint_ports", "(Deprecated since v2.14.0) Information about the Endpoint ports.", _ports,
              stable=True),
    ]


SPEC = ResourceSpec("endpoints", "", "v1", True, ("namespace", "endpoint"), families, enabled_by_default=False)
