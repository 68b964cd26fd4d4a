"""MutatingWebhookConfigurations: info, creation time, resource version, each webhook's service.
Default labels namespace (empty: cluster-scoped), mutatingwebhookconfiguration."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.kube_common import one, resource_version
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created
from kube_state_exporter.resources.webhook_util import clientconfig_services


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_mutatingwebhookconfiguration_info", "Information about the MutatingWebhookConfiguration.", one),
        gauge("kube_mutatingwebhookconfiguration_created", "Unix creation timestamp.", created),
        gauge("kube_mutatingwebhookconfiguration_metadata_resource_version", "Resource version representing a "
              "specific version of the MutatingWebhookConfiguration.", resource_version),
        gauge("kube_mutatingwebhookconfiguration_webhook_clientconfig_service", "Service used by the apiserver to "
              "connect to a mutating webhook.", clientconfig_services),
    ]


SPEC = ResourceSpec("mutatingwebhookconfigurations", "admissionregistration.k8s.io", "v1", False,
                    ("namespace", "mutatingwebhookconfiguration"), families)
