"""Test helpers: a fresh registry per test and reading one sample back."""

from __future__ import annotations

from prometheus_client import CollectorRegistry


def fresh_registry() -> CollectorRegistry:
    """A registry of its own: declarations in it never collide with another test's."""
    return CollectorRegistry(auto_describe=True)


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    """The value of one series, or None when it does not exist."""
    return registry.get_sample_value(name, labels)
