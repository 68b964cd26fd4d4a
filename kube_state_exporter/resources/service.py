"""Services: info, type, external IPs, load balancer ingress. Default labels namespace, service, uid."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created, deletion_timestamp


def _info(service: dict[str, Any]) -> list[Row]:
    spec = service.get("spec") or {}
    return [(("cluster_ip", "external_name", "load_balancer_ip", "external_traffic_policy"),
             (spec.get("clusterIP", ""), spec.get("externalName", ""), spec.get("loadBalancerIP", ""),
              spec.get("externalTrafficPolicy", "")), 1.0)]


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_service_info", "Information about service.", _info, stable=True),
        gauge("kube_service_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_service_spec_type", "Type about service.",
              lambda s: [(("type",), ((s.get("spec") or {}).get("type", ""),), 1.0)], stable=True),
        annotations_family("kube_service_annotations", allow.annotations),
        labels_family("kube_service_labels", allow.labels, stable=True),
        gauge("kube_service_spec_external_ip", "Service external ips. One series for each ip",
              lambda s: [(("external_ip",), (ip,), 1.0) for ip in (s.get("spec") or {}).get("externalIPs") or []],
              stable=True),
        gauge("kube_service_status_load_balancer_ingress", "Service load balancer ingress status",
              lambda s: [(("ip", "hostname"), (i.get("ip", ""), i.get("hostname", "")), 1.0)
                         for i in ((s.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []],
              stable=True),
        gauge("kube_service_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
    ]


SPEC = ResourceSpec("services", "", "v1", True, ("namespace", "service", "uid"), families)
