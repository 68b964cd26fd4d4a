"""What Mutating- and ValidatingWebhookConfigurations share: one series per webhook naming its service."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import Row


def clientconfig_services(configuration: dict[str, Any]) -> list[Row]:
    """webhook_name, service_name, service_namespace; both service labels empty for a URL webhook."""
    rows: list[Row] = []
    for webhook in configuration.get("webhooks") or []:
        service = (webhook.get("clientConfig") or {}).get("service") or {}
        rows.append((("webhook_name", "service_name", "service_namespace"),
                     (webhook.get("name", ""), service.get("name", ""), service.get("namespace", "")), 1.0))
    return rows
