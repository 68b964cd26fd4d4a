"""NetworkPolicies: creation time, number of ingress and egress rules. Default labels namespace,
networkpolicy."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import FamilyGenerator, Row, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def _rules(direction: str):
    def fn(policy: dict[str, Any]) -> list[Row]:
        return [((), (), float(len((policy.get("spec") or {}).get(direction) or [])))]
    return fn


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_networkpolicy_created", "Unix creation timestamp of network policy", created),
        annotations_family("kube_networkpolicy_annotations", allow.annotations),
        labels_family("kube_networkpolicy_labels", allow.labels),
        gauge("kube_networkpolicy_spec_ingress_rules", "Number of ingress rules on the networkpolicy",
              _rules("ingress")),
        gauge("kube_networkpolicy_spec_egress_rules", "Number of egress rules on the networkpolicy", _rules("egress")),
    ]


SPEC = ResourceSpec("networkpolicies", "networking.k8s.io", "v1", True, ("namespace", "networkpolicy"), families)
