"""What the admission policies and their bindings share: info label values read from optional fields."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import Row


def policy_info(policy: dict[str, Any], mutating: bool) -> list[Row]:
    """param kind, failure policy (and reinvocation policy for mutating ones); unset fields read ""."""
    spec = policy.get("spec") or {}
    param = spec.get("paramKind") or {}
    keys = ["param_api_version", "param_kind", "failure_policy"]
    values = [param.get("apiVersion", ""), param.get("kind", ""), spec.get("failurePolicy") or ""]
    if mutating:
        keys.append("reinvocation_policy")
        values.append(spec.get("reinvocationPolicy") or "")
    return [(tuple(keys), tuple(values), 1.0)]


def binding_info(binding: dict[str, Any]) -> list[Row]:
    spec = binding.get("spec") or {}
    ref = spec.get("paramRef") or {}
    return [(("policy_name", "param_name", "param_namespace", "param_not_found_action"),
             (spec.get("policyName", ""), ref.get("name", ""), ref.get("namespace", ""),
              ref.get("parameterNotFoundAction") or ""), 1.0)]
