"""A pod's QoS class from its containers' resources, by the kubelet's rules: BestEffort when no container
(init containers included) requests or limits CPU or memory; Guaranteed when every container limits both and
the pod's requests equal its limits (a request left out defaults to the limit, as the API server's defaulting
does); Burstable otherwise. Pod-level resources, when set, decide alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kubernetes.utils.quantity import parse_quantity

QOS_RESOURCES = ("cpu", "memory")


def _nonzero(values: dict[str, Any] | None) -> dict[str, Decimal]:
    found = {}
    for name in QOS_RESOURCES:
        if name in (values or {}):
            quantity = parse_quantity(values[name])
            if quantity != 0:
                found[name] = quantity
    return found


def qos_class(pod: dict[str, Any]) -> str:
    spec = pod.get("spec") or {}
    pod_resources = spec.get("resources")
    units = [pod_resources] if pod_resources else [
        c.get("resources") or {} for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])]
    requests: dict[str, Decimal] = {}
    limits: dict[str, Decimal] = {}
    guaranteed = True
    for resources in units:
        limit = _nonzero(resources.get("limits"))
        request = {**limit, **_nonzero(resources.get("requests"))}  # requests default to limits
        for name, quantity in request.items():
            requests[name] = requests.get(name, Decimal(0)) + quantity
        for name, quantity in limit.items():
            limits[name] = limits.get(name, Decimal(0)) + quantity
        if set(limit) != set(QOS_RESOURCES):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and requests == limits:
        return "Guaranteed"
    return "Burstable"
