"""Pre-rendered metric text per object, keyed by UID; a scrape only joins bytes.

As in kube-state-metrics' MetricsStore: an add or update renders every family of the object once, when the
event arrives; a delete drops the entry; a (re)list replaces every entry and drops those it did not return.
Full objects are not kept.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from kube_state_exporter.metric import FamilyGenerator, format_value, label_prefix
from kube_state_exporter.resources import ResourceSpec

log = logging.getLogger(__name__)
TRIM_AFTER = 1000  # objects in a list after which the heap is trimmed
CACHE_LIMIT = 1 << 16  # entries per memo below; cleared when full (high-cardinality values cycle through)
_values: dict[float, str] = {}
_labels: dict[tuple, str] = {}


def _libc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None


_malloc_trim = _libc_trim()


def release_free_memory() -> None:
    """Give the pages a list freed back to the OS (glibc's malloc_trim): a list parses thousands of JSON objects
    that die right after rendering; without this the heap keeps their pages and RSS stays at the list's peak."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def _value_text(value: float) -> str:
    """format_value, memoised: timestamps, counts and 0/1 repeat across objects far more than they vary."""
    text = _values.get(value)
    if text is None:
        text = format_value(value)
        if len(_values) >= CACHE_LIMIT:
            _values.clear()
        _values[value] = text
    return text


def _labels_text(keys, values) -> str:
    """label_prefix for a family's own labels, memoised: condition="true", phase="Running", resource="cpu",
    unit="core"... are the same few sets for every object."""
    try:
        memo_key = (keys, values) if type(keys) is tuple and type(values) is tuple else (tuple(keys), tuple(values))
        text = _labels.get(memo_key)
    except TypeError:  # an unhashable value: render it plainly
        return label_prefix(keys, values)
    if text is None:
        text = label_prefix(keys, values)
        if len(_labels) >= CACHE_LIMIT:
            _labels.clear()
        _labels[memo_key] = text
    return text


def render(generators: Sequence[FamilyGenerator], prefix: str, obj: dict[str, Any],
           failed: list[tuple[str, Exception]] | None = None) -> tuple[bytes, ...]:
    """One byte string per generator: this object's sample lines of that family. A family that raises on this
    object (a field of the wrong type, say) is left out of it and named in `failed`; the others are served.
    The memo lookups are inlined: this loop runs once per sample of every object."""
    rendered = []
    append = rendered.append
    empty = b""
    labels_get, values_get = _labels.get, _values.get
    for generator in generators:
        try:
            lines = []
            name = generator.name
            for keys, values, value in generator.fn(obj):
                text = values_get(value)
                if text is None:
                    text = _value_text(value)
                if keys:
                    try:
                        extra = labels_get((keys, values))
                    except TypeError:  # lists from the generator: memoised as tuples
                        extra = None
                    if extra is None:
                        extra = _labels_text(keys, values)
                    labels = f"{prefix},{extra}" if prefix and extra else (prefix or extra)
                else:
                    labels = prefix
                lines.append(f"{name}{{{labels}}} {text}\n" if labels else f"{name} {text}\n")
            append(_encode("".join(lines)) if lines else empty)
        except Exception as exc:
            append(empty)
            if failed is not None:
                failed.append((generator.name, exc))
    return tuple(rendered)


def _encode(text: str) -> bytes:
    """UTF-8; a lone surrogate (a JSON "\\ud800" escape) becomes U+FFFD, as Go's JSON decoder makes it."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()


class RenderErrors:
    """Objects of one resource that could not be rendered whole: counted per family, logged at most once a
    `remind_every` (the first at once, then a line with the count since) so a bad object re-sent by every
    relist cannot flood the log."""

    def __init__(self, resource: str, remind_every: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.resource, self.remind_every, self.clock = resource, remind_every, clock
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._last_logged: float | None = None
        self._unlogged = 0

    def record(self, obj: Any, family: str, exc: BaseException) -> None:
        now = self.clock()
        with self._lock:
            self.counts[family] = self.counts.get(family, 0) + 1
            self._unlogged += 1
            if self._last_logged is not None and now - self._last_logged < self.remind_every:
                return
            self._last_logged, count, self._unlogged = now, self._unlogged, 0
        log.warning("object could not be rendered, left out (logged at most once a minute)",
                    extra={"resource": self.resource, "object": _object_name(obj), "family": family,
                           "err": " ".join(f"{type(exc).__name__}: {exc}".split())[:300], "errors": count})

    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())


def _object_name(obj: Any) -> str:
    metadata = obj.get("metadata") if isinstance(obj, dict) else None
    if not isinstance(metadata, dict):
        return "?"
    namespace, name = metadata.get("namespace"), metadata.get("name")
    return f"{namespace}/{name}" if namespace else str(name)


class MetricsStore:
    def __init__(self, spec: ResourceSpec, generators: Sequence[FamilyGenerator]) -> None:
        self.spec = spec
        self.generators = tuple(generators)
        self._objects: dict[str, tuple[bytes, ...]] = {}
        self._lock = threading.Lock()
        self.errors = RenderErrors(spec.name)

    def _render(self, obj: dict[str, Any]) -> tuple[bytes, ...] | None:
        """The object's families; None when not even its default labels render (then it is left out)."""
        try:
            prefix = label_prefix(self.spec.default_keys, self.spec.labels_of(obj))
        except Exception as exc:
            self.errors.record(obj, "default labels", exc)
            return None
        failed: list[tuple[str, Exception]] = []
        rendered = render(self.generators, prefix, obj, failed)
        for family, exc in failed:
            self.errors.record(obj, family, exc)
        return rendered

    @staticmethod
    def _uid(obj: dict[str, Any]) -> str:
        metadata = obj.get("metadata") if isinstance(obj, dict) else None
        if not isinstance(metadata, dict):
            metadata = {}
        uid = metadata.get("uid")
        if isinstance(uid, str) and uid:
            return uid
        return f"{metadata.get('namespace') or ''}/{metadata.get('name') or ''}"

    def add(self, obj: dict[str, Any]) -> None:
        uid = self._uid(obj)
        rendered = self._render(obj)
        with self._lock:
            if rendered is None:
                self._objects.pop(uid, None)
            else:
                self._objects[uid] = rendered

    def delete(self, obj: dict[str, Any]) -> None:
        with self._lock:
            self._objects.pop(self._uid(obj), None)

    def replace(self, objects: Iterable[dict[str, Any]]) -> None:
        seen: set[str] = set()
        for obj in objects:
            self.stage(seen, obj)
        self.commit(seen)

    def stage(self, seen: set[str], obj: dict[str, Any]) -> None:
        """Render one object of a list in progress into the live map at once: pages are rendered as they arrive
        and dropped, and a relist replaces entries in place instead of building a second map beside the first,
        so it never holds two renderings of every object (nor all of them as parsed JSON)."""
        uid = self._uid(obj)
        rendered = self._render(obj)
        if rendered is None:
            return  # left out: commit drops what an earlier list held for it
        with self._lock:
            self._objects[uid] = rendered
        seen.add(uid)

    def commit(self, seen: set[str]) -> None:
        """End a list: drop the objects it did not return (deleted meanwhile, or no longer in this shard)."""
        with self._lock:
            gone = [uid for uid in self._objects if uid not in seen]
            for uid in gone:
                del self._objects[uid]
        if len(seen) >= TRIM_AFTER or len(gone) >= TRIM_AFTER:
            release_free_memory()

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
