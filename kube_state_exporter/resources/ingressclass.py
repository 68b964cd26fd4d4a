"""IngressClasses (opt-in in KSM): info with the controller, creation time. Default label ingressclass."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.kube_common import annotations_family, labels_family
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_ingressclass_info", "Information about ingressclass.",
              lambda c: [(("controller",), ((c.get("spec") or {}).get("controller", ""),), 1.0)]),
        gauge("kube_ingressclass_created", "Unix creation timestamp", created),
        annotations_family("kube_ingressclass_annotations", allow.annotations),
        labels_family("kube_ingressclass_labels", allow.labels),
    ]


SPEC = ResourceSpec("ingressclasses", "networking.k8s.io", "v1", False, ("ingressclass",), families,
                    enabled_by_default=False)
