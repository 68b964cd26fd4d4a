"""Nodes: info, conditions, capacity, allocatable, taints, schedulability. Default label node."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import (
    conditions_by_type,
    created,
    deletion_timestamp,
    meta,
    node_resource_rows,
)

ROLE_PREFIX = "node-role.kubernetes.io/"


def _info(node: dict[str, Any]) -> list[Row]:
    spec, status = node.get("spec") or {}, node.get("status") or {}
    info = status.get("nodeInfo") or {}
    # The last InternalIP, as KSM's loop over the addresses leaves it.
    internal_ips = [a.get("address", "") for a in status.get("addresses") or [] if a.get("type") == "InternalIP"]
    internal_ip = internal_ips[-1] if internal_ips else ""
    return [(("kernel_version", "os_image", "container_runtime_version", "kubelet_version", "kubeproxy_version",
              "provider_id", "pod_cidr", "system_uuid", "internal_ip"),
             (info.get("kernelVersion", ""), info.get("osImage", ""), info.get("containerRuntimeVersion", ""),
              info.get("kubeletVersion", ""), "deprecated", spec.get("providerID", ""), spec.get("podCIDR", ""),
              info.get("systemUUID", ""), internal_ip), 1.0)]


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        annotations_family("kube_node_annotations", allow.annotations),
        gauge("kube_node_created", "Unix creation timestamp", created, stable=True),
        gauge("kube_node_deletion_timestamp", "Unix deletion timestamp", deletion_timestamp),
        gauge("kube_node_info", "Information about a cluster node.", _info, stable=True),
        labels_family("kube_node_labels", allow.labels, stable=True),
        gauge("kube_node_role", "The role of a cluster node.",
              lambda n: [(("role",), (key[len(ROLE_PREFIX):],), 1.0) for key in sorted(meta(n).get("labels") or {})
                         if key.startswith(ROLE_PREFIX)]),
        gauge("kube_node_spec_pod_cidrs", "The pod CIDRs of a cluster node.",
              lambda n: [(("pod_cidr",), (cidr,), 1.0) for cidr in (n.get("spec") or {}).get("podCIDRs") or []]),
        gauge("kube_node_spec_taint", "The taint of a cluster node.",
              lambda n: [(("key", "value", "effect"), (t.get("key", ""), t.get("value", ""), t.get("effect", "")), 1.0)
                         for t in (n.get("spec") or {}).get("taints") or []], stable=True),
        gauge("kube_node_spec_unschedulable", "Whether a node can schedule new pods.",
              lambda n: [((), (), 1.0 if (n.get("spec") or {}).get("unschedulable") else 0.0)], stable=True),
        gauge("kube_node_status_allocatable", "The allocatable for different resources of a node that are "
              "available for scheduling.", lambda n: node_resource_rows((n.get("status") or {}).get("allocatable")),
              stable=True),
        gauge("kube_node_status_capacity", "The capacity for different resources of a node.",
              lambda n: node_resource_rows((n.get("status") or {}).get("capacity")), stable=True),
        gauge("kube_node_status_condition", "The condition of a cluster node.", conditions_by_type, stable=True),
        gauge("kube_node_status_addresses", "Node address information.",
              lambda n: [(("type", "address"), (a.get("type", ""), a.get("address", "")), 1.0)
                         for a in (n.get("status") or {}).get("addresses") or []]),
    ]


SPEC = ResourceSpec("nodes", "", "v1", False, ("node",), families)
