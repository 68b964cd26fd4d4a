"""What a resource module declares: its ResourceSpec (API path, default labels, family generators) and the
allowlists its *_labels / *_annotations families are built with."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kube_state_exporter.metric import FamilyGenerator


@dataclass(frozen=True)
class Allowlists:
    """--metric-labels-allowlist / --metric-annotations-allowlist for one resource (None: nothing exposed)."""

    labels: Sequence[str] | None = None
    annotations: Sequence[str] | None = None


@dataclass(frozen=True)
class ResourceSpec:
    name: str  # the --resources name, plural: "pods"
    group: str
    version: str
    namespaced: bool
    default_keys: tuple[str, ...]
    families: Callable[[Allowlists], list[FamilyGenerator]]
    default_values: Callable[[dict[str, Any]], tuple[str, ...]] = field(default=None)  # type: ignore[assignment]
    enabled_by_default: bool = True  # KSM's default --resources; opt-in ones must be named

    @property
    def path_prefix(self) -> str:
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    def list_path(self, namespace: str | None) -> str:
        if namespace and self.namespaced:
            return f"{self.path_prefix}/namespaces/{namespace}/{self.name}"
        return f"{self.path_prefix}/{self.name}"

    def labels_of(self, obj: dict[str, Any]) -> tuple[str, ...]:
        if self.default_values is not None:
            return self.default_values(obj)
        metadata = obj.get("metadata") or {}
        values = {"namespace": metadata.get("namespace", ""), "uid": metadata.get("uid", "")}
        return tuple(values.get(key, metadata.get("name", "")) for key in self.default_keys)
