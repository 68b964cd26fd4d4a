"""Plurals and scopes of the configured resources from the API server's discovery."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kube_state_exporter.custom_resource_state.config import CustomResource
from kube_state_exporter.custom_resource_state.families import resource_spec
from kube_state_exporter.custom_resource_state.read_errors import ReadErrors
from kube_state_exporter.resources import ResourceSpec

log = logging.getLogger(__name__)


def discover(api: Any, resources: Sequence[CustomResource]) -> dict[tuple[str, str, str], tuple[str, bool]]:
    """(group, version, kind) -> (plural, namespaced), from the API server's discovery of each group/version.
    A group/version not served yet (its CRD not installed) is left out: the configured plural is used and its
    list/watch backs off until the CRD appears."""
    import json

    from kube_state_exporter.api import get

    found: dict[tuple[str, str, str], tuple[str, bool]] = {}
    for group, version in sorted({(r.group, r.version) for r in resources}):
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        try:
            listing = json.loads(get(api, path).data)
        except Exception as exc:  # discovery failing is not fatal: the reflector reports and retries
            log.warning("custom resource group not served yet", extra={"group_version": path, "err": str(exc)[:200]})
            continue
        for entry in listing.get("resources") or []:
            if "/" not in entry.get("name", ""):  # skip subresources such as foos/status
                found[(group, version, entry.get("kind", ""))] = (entry["name"], bool(entry.get("namespaced")))
    return found


def specs_from_config(resources: Sequence[CustomResource], api: Any = None, errors: ReadErrors | None = None
                      ) -> list[ResourceSpec]:
    """The parsed resources as ResourceSpecs, with plurals and scopes from discovery when an API is given; read
    errors go to `errors` (the exporter's telemetry)."""
    if api is None:
        return [resource_spec(r, errors=errors) for r in resources]
    served = discover(api, resources)
    specs = []
    for resource in resources:
        plural, namespaced = served.get((resource.group, resource.version, resource.kind), (resource.plural, True))
        specs.append(resource_spec(replace(resource, plural=plural), namespaced, errors))
    return specs
