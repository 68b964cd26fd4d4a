"""EndpointSlices: info (address type), creation time, every endpoint address with its conditions, topology
hints, ports. Default labels endpointslice, namespace (KSM's order)."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created

ENDPOINT_KEYS = ("ready", "serving", "hostname", "terminating", "targetref_kind", "targetref_name",
                 "targetref_namespace", "endpoint_nodename", "endpoint_zone", "address")


def _flag(value: Any) -> str:
    """A *bool condition: "true", "false", or "" when unset."""
    return "" if value is None else ("true" if value else "false")


def _endpoints(slice_: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for endpoint in slice_.get("endpoints") or []:
        conditions = endpoint.get("conditions") or {}
        ref = endpoint.get("targetRef") or {}
        values = (_flag(conditions.get("ready")), _flag(conditions.get("serving")), endpoint.get("hostname") or "",
                  _flag(conditions.get("terminating")), ref.get("kind", ""), ref.get("name", ""),
                  ref.get("namespace", ""), endpoint.get("nodeName") or "", endpoint.get("zone") or "")
        rows.extend((ENDPOINT_KEYS, (*values, address), 1.0) for address in endpoint.get("addresses") or [])
    return rows


def _hints(slice_: dict[str, Any]) -> list[Row]:
    """One series per zone hint, labelled with the endpoint's first address (its addresses are fungible)."""
    rows: list[Row] = []
    for endpoint in slice_.get("endpoints") or []:
        zones = (endpoint.get("hints") or {}).get("forZones") or []
        addresses = endpoint.get("addresses") or []
        if not zones or not addresses:
            continue
        rows.extend((("address", "for_zone"), (addresses[0], zone.get("name", "")), 1.0) for zone in zones)
    return rows


def _ports(slice_: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for port in slice_.get("ports") or []:
        number = port.get("port")
        rows.append((("port_name", "port_protocol", "port_number"),
                     (port.get("name") or "", port.get("protocol") or "", "" if number is None else str(number)),
                     1.0))
    return rows


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_endpointslice_info", "Information about endpointslice.",
              lambda s: [(("addresstype",), (s.get("addressType", ""),), 1.0)]),
        gauge("kube_endpointslice_created", "Unix creation timestamp", created),
        gauge("kube_endpointslice_endpoints_hints", "Topology routing hints attached to endpoints", _hints),
        gauge("kube_endpointslice_endpoints", "Endpoints attached to the endpointslice.", _endpoints),
        gauge("kube_endpointslice_ports", "Ports attached to the endpointslice.", _ports),
        annotations_family("kube_endpointslice_annotations", allow.annotations),
        labels_family("kube_endpointslice_labels", allow.labels),
    ]


SPEC = ResourceSpec("endpointslices", "discovery.k8s.io", "v1", True, ("endpointslice", "namespace"), families)
