"""Pre-rendered metric text per object, keyed by UID; a scrape only joins bytes.

As in kube-state-metrics' MetricsStore: an add or update renders every family of the object once, when the
event arrives; a delete drops the entry; a (re)list replaces the whole map. Full objects are not kept.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from kube_state_exporter.metric import FamilyGenerator, label_prefix, render
from kube_state_exporter.resources import ResourceSpec


class MetricsStore:
    def __init__(self, spec: ResourceSpec, generators: Sequence[FamilyGenerator]) -> None:
        self.spec = spec
        self.generators = tuple(generators)
        self._objects: dict[str, tuple[bytes, ...]] = {}
        self._lock = threading.Lock()

    def _render(self, obj: dict[str, Any]) -> tuple[bytes, ...]:
        return render(self.generators, label_prefix(self.spec.default_keys, self.spec.labels_of(obj)), obj)

    @staticmethod
    def _uid(obj: dict[str, Any]) -> str:
        metadata = obj.get("metadata") or {}
        return metadata.get("uid") or f"{metadata.get('namespace', '')}/{metadata.get('name', '')}"

    def add(self, obj: dict[str, Any]) -> None:
        rendered = self._render(obj)
        with self._lock:
            self._objects[self._uid(obj)] = rendered

    def delete(self, obj: dict[str, Any]) -> None:
        with self._lock:
            self._objects.pop(self._uid(obj), None)

    def replace(self, objects: Iterable[dict[str, Any]]) -> None:
        staged: dict[str, tuple[bytes, ...]] = {}
        for obj in objects:
            self.stage(staged, obj)
        self.commit(staged)

    def stage(self, staged: dict[str, tuple[bytes, ...]], obj: dict[str, Any]) -> None:
        """Render one object of a list in progress: pages are rendered as they arrive and dropped, so a relist
        of 100k objects never holds them all as parsed JSON at once."""
        staged[self._uid(obj)] = self._render(obj)

    def commit(self, staged: dict[str, tuple[bytes, ...]]) -> None:
        with self._lock:
            self._objects = staged

    def __len__(self) -> int:
        return len(self._objects)

    def snapshot(self) -> list[tuple[bytes, ...]]:
        with self._lock:
            return list(self._objects.values())


def write(generators: Sequence[FamilyGenerator], stores: Sequence[MetricsStore], openmetrics: bool) -> Iterator[bytes]:
    """One resource's families: each header once, then every object's lines of that family. Nothing at all when
    the resource has no objects (as kube-state-metrics)."""
    snapshots = [store.snapshot() for store in stores]
    if not any(snapshots):
        return
    for index, generator in enumerate(generators):
        yield generator.openmetrics_header() if openmetrics else generator.header()
        yield b"".join(rendered[index] for snapshot in snapshots for rendered in snapshot)
