"""What RoleBindings and ClusterRoleBindings share: the roleRef as info labels."""

from __future__ import annotations

from typing import Any

from kube_state_exporter.metric import Row


def role_ref_info(binding: dict[str, Any]) -> list[Row]:
    ref = binding.get("roleRef") or {}
    return [(("roleref_kind", "roleref_name"), (ref.get("kind", ""), ref.get("name", "")), 1.0)]
