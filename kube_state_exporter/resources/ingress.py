"""Ingresses: info (class), creation time, resource version, every rule path with its backend, TLS hosts.
Default labels namespace, ingress."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family, resource_version
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, meta

CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def _info(ingress: dict[str, Any]) -> list[Row]:
    """The class from spec.ingressClassName, else the legacy annotation, else "_default"."""
    name = (ingress.get("spec") or {}).get("ingressClassName") or \
        (meta(ingress).get("annotations") or {}).get(CLASS_ANNOTATION) or "_default"
    return [(("ingressclass",), (name,), 1.0)]


def _paths(ingress: dict[str, Any]) -> list[Row]:
    """One series per HTTP path: a service backend names service and port, a resource backend its reference."""
    rows: list[Row] = []
    for rule in (ingress.get("spec") or {}).get("rules") or []:
        host = rule.get("host", "")
        for path in (rule.get("http") or {}).get("paths") or []:
            backend = path.get("backend") or {}
            head = (host, path.get("path") or "", path.get("pathType") or "")
            if backend.get("service") is not None:
                service = backend["service"]
                port = service.get("port") or {}
                # KSM prints the port number, also for a port given by name (whose number reads 0).
                rows.append((("host", "path", "path_type", "service_name", "service_port"),
                             (*head, service.get("name", ""), str(port.get("number") or 0)), 1.0))
            elif backend.get("resource") is not None:
                resource = backend["resource"]
                rows.append((("host", "path", "path_type", "resource_api_group", "resource_kind", "resource_name"),
                             (*head, resource.get("apiGroup") or "", resource.get("kind", ""),
                              resource.get("name", "")), 1.0))
    return rows


def _tls(ingress: dict[str, Any]) -> list[Row]:
    return [(("tls_host", "secret"), (host, tls.get("secretName") or ""), 1.0)
            for tls in (ingress.get("spec") or {}).get("tls") or [] for host in tls.get("hosts") or []]


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_ingress_info", "Information about ingress.", _info, stable=True),
        annotations_family("kube_ingress_annotations", allow.annotations),
        labels_family("kube_ingress_labels", allow.labels, stable=True),
        gauge("kube_ingress_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_ingress_metadata_resource_version", "Resource version representing a specific version of "
              "ingress.", resource_version),
        gauge("kube_ingress_path", "Ingress host, paths and backend service information.", _paths, stable=True),
        gauge("kube_ingress_tls", "Ingress TLS host and secret information.", _tls, stable=True),
    ]


SPEC = ResourceSpec("ingresses", "networking.k8s.io", "v1", True, ("namespace", "ingress"), families)
