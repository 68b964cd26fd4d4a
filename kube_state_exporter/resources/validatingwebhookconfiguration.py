"""ValidatingWebhookConfigurations: info, creation time, resource version, each webhook's service.
Default labels namespace (empty: cluster-scoped), validatingwebhookconfiguration."""

from __future__ import annotations

from kube_state_exporter.metric import FamilyGenerator, gauge
from kube_state_exporter.resources.kube_common import one, resource_version
from kube_state_exporter.resources.spec import Allowlists, ResourceSpec
from kube_state_exporter.resources.util import created
from kube_state_exporter.resources.webhook_util import clientconfig_services


def families(allow: Allowlists) -> list[FamilyGenerator]:
    return [
        gauge("kube_validatingwebhookconfiguration_info", "Information about the ValidatingWebhookConfiguration.",
              one),
        gauge("kube_validatingwebhookconfiguration_created", "Unix creation timestamp.", created),
        gauge("kube_validatingwebhookconfiguration_metadata_resource_version", "Resource version representing a "
              "specific version of the ValidatingWebhookConfiguration.", resource_version),
        gauge("kube_validatingwebhookconfiguration_webhook_clientconfig_service", "Service used by the apiserver "
              "to connect to a validating webhook.", clientconfig_services),
    ]


SPEC = ResourceSpec("validatingwebhookconfigurations", "admissionregistration.k8s.io", "v1", False,
                    ("namespace", "validatingwebhookconfiguration"), families)
