"""Pre-rendered metric text per object, keyed by UID; a scrape only joins bytes.

As in kube-state-metrics' MetricsStore: an add or update renders every family of the object once, when the
event arrives; a delete drops the entry; a (re)list replaces every entry and drops those it did not return.
Full objects are not kept.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from exporter_toolkit.memo import BoundedMemo
from exporter_toolkit.memory import release_free_memory
from kube_state_exporter import deflate
from kube_state_exporter.metric import FamilyGenerator, format_value, label_prefix
from kube_state_exporter.resources import ResourceSpec

log = logging.getLogger(__name__)
TRIM_AFTER = 1000  # objects in a list after which the heap is trimmed
TRIM_EVERY = 20_000  # watch events (all stores together) between two trims of the heap
BLOCK_OBJECTS = 256  # objects per block of a store (the unit of its gzip cache)
# Where an object's default labels go in its stored lines: kept once per object, not once per line.
MARK_TEXT = "\x00"
MARK = MARK_TEXT.encode()
CACHE_LIMIT = 1 << 16  # entries per memo below; cleared when full (high-cardinality values cycle through)
_values = BoundedMemo(format_value, CACHE_LIMIT)  # timestamps, counts and 0/1 repeat far more than they vary
# A family's own labels -> their text: condition="true", phase="Running", resource="cpu"... are the same few
# sets for every object.
_labels = BoundedMemo(lambda key: label_prefix(*key), CACHE_LIMIT)
_headers: dict[bytes, deflate.Piece | None] = {}  # HELP/TYPE lines -> their compressed piece
SHARE_PROBE = 512  # pieces of a family looked up before deciding whether sharing them pays
SHARE_MIN_HITS = 0.25  # share of those found already rendered by another object, below which a family stops looking


_events = itertools.count(1)  # watch events applied, all stores together (next() is atomic under the GIL)


def note_event() -> None:
    """Trim the heap every TRIM_EVERY watch events: each event frees one rendering of an object and allocates the
    next, and without a trim the freed pages scattered between live ones stay resident (RSS creeps up under
    churn while the live memory does not)."""
    if next(_events) % TRIM_EVERY == 0:
        release_free_memory()


def _labels_text(keys, values) -> str:
    """_labels for keys and values given as lists; plainly rendered when a value cannot be a key."""
    try:
        return _labels[(tuple(keys), tuple(values))]
    except TypeError:
        return label_prefix(keys, values)


class SharedPieces:
    """One copy of each family text that many objects render alike. With the default labels spliced out, most
    of a pod's families read the same for every replica of a workload (phase, QoS class, conditions, container
    names, requests and limits, tolerations): each object then keeps a reference, not a copy. Bounded: a table
    of at most CACHE_LIMIT texts, cleared when full (objects keep the copies they hold), and a family whose first
    SHARE_PROBE texts were mostly unique (times, names, UIDs) stops being looked up."""

    def __init__(self) -> None:
        self._texts: dict[bytes, bytes] = {}
        self._probes: dict[str, list[int]] = {}  # family -> [lookups, hits] while it is probed
        self._unique: set[str] = set()  # families not worth looking up

    def share(self, family: str, text: bytes) -> bytes:
        if family in self._unique or not text:
            return text
        texts = self._texts
        found = texts.get(text)
        probe = self._probes.get(family)
        if probe is None:
            probe = self._probes[family] = [0, 0]
        if probe[0] < SHARE_PROBE:  # approximate under concurrent renders: only a heuristic
            probe[0] += 1
            probe[1] += found is not None
            if probe[0] == SHARE_PROBE and probe[1] < SHARE_MIN_HITS * SHARE_PROBE:
                self._unique.add(family)
        if found is not None:
            return found
        if len(texts) >= CACHE_LIMIT:
            texts.clear()
        texts[text] = text
        return text


_shared = SharedPieces()


def render(generators: Sequence[FamilyGenerator], prefix: str, obj: dict[str, Any],
           failed: list[tuple[str, Exception]] | None = None) -> tuple[bytes, ...]:
    """One byte string per generator: this object's sample lines of that family. A family that raises on this
    object (a field of the wrong type, say) is left out of it and named in `failed`; the others are served.
    The memo lookups are inlined: this loop runs once per sample of every object."""
    rendered = []
    append = rendered.append
    empty = b""
    labels, values_text, share = _labels, _values, _shared.share
    for generator in generators:
        try:
            lines: list[str] = []
            plain = keyed = ""  # `name{prefix} ` and `name{prefix,`, made at the family's first row
            for keys, values, value in generator.fn(obj):
                text = values_text[value]
                if not plain:
                    name = generator.name
                    plain, keyed = (f"{name}{{{prefix}}} ", f"{name}{{{prefix},") if prefix else \
                        (f"{name} ", f"{name}{{")
                if keys:
                    try:
                        extra = labels[(keys, values)]
                    except TypeError:  # lists from the generator: memoised as tuples
                        extra = _labels_text(keys, values)
                    lines.append(f"{keyed}{extra}}} {text}\n" if extra else f"{plain}{text}\n")
                else:
                    lines.append(f"{plain}{text}\n")
            append(share(generator.name, _encode("".join(lines))) if lines else empty)
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
    """The rendered families of each object, kept in blocks of up to BLOCK_OBJECTS objects (a new object fills
    the first block with room). Each block caches its compressed pieces, one per family, made by the first gzip
    scrape after the block last changed: a gzip scrape compresses only the blocks changed since the one before
    and joins the rest into one gzip member (kube_state_exporter.deflate)."""

    def __init__(self, spec: ResourceSpec, generators: Sequence[FamilyGenerator]) -> None:
        self.spec = spec
        self.generators = tuple(generators)
        self._where: dict[str, int] = {}  # uid -> its block
        self._blocks: list[dict[str, tuple[bytes | None, ...]]] = []
        self._changes: list[int] = []  # per block: changes so far (a cached member is valid for one count)
        self._gzipped: list[tuple[int, tuple[deflate.Piece | None, ...]] | None] = []
        self._room: list[int] = []  # blocks that may have room; checked when used
        self._lock = threading.Lock()
        self.errors = RenderErrors(spec.name)

    def _render(self, obj: dict[str, Any]) -> tuple[bytes | None, ...] | None:
        """(default labels, then one piece per family) with MARK where the default labels go in each line; the
        labels are spliced in at scrape time (see join). None first when the object is kept whole instead (no
        default labels, or a NUL in its text); None when not even its default labels render (left out)."""
        try:
            prefix = label_prefix(self.spec.default_keys, self.spec.labels_of(obj))
        except Exception as exc:
            self.errors.record(obj, "default labels", exc)
            return None
        failed: list[tuple[str, Exception]] = []
        rendered = render(self.generators, MARK_TEXT, obj, failed) if prefix else ()
        whole = b"".join(rendered)  # every line has one MARK unless the object's own text has a NUL
        if prefix and whole.count(MARK) == whole.count(b"\n"):
            result: tuple[bytes | None, ...] = (_encode(prefix), *rendered)
        else:  # a NUL of its own in the object's text (or nothing to splice): kept whole
            failed.clear()
            result = (None, *render(self.generators, prefix, obj, failed))
        for family, exc in failed:
            self.errors.record(obj, family, exc)
        return result

    @staticmethod
    def _uid(obj: dict[str, Any]) -> str:
        metadata = obj.get("metadata") if isinstance(obj, dict) else None
        if not isinstance(metadata, dict):
            metadata = {}
        uid = metadata.get("uid")
        if isinstance(uid, str) and uid:
            return uid
        return f"{metadata.get('namespace') or ''}/{metadata.get('name') or ''}"

    def _put(self, uid: str, rendered: tuple[bytes | None, ...]) -> None:
        """Under the lock: store (or replace) one object's families."""
        block = self._where.get(uid)
        if block is None:
            room, blocks = self._room, self._blocks
            while room and len(blocks[room[-1]]) >= BLOCK_OBJECTS:
                room.pop()
            if not room:
                room.append(len(blocks))
                blocks.append({})
                self._changes.append(0)
                self._gzipped.append(None)
            block = self._where[uid] = room[-1]
        self._blocks[block][uid] = rendered
        self._changes[block] += 1

    def _drop(self, uid: str) -> None:
        """Under the lock: forget one object."""
        block = self._where.pop(uid, None)
        if block is None:
            return
        objects = self._blocks[block]
        if len(objects) == BLOCK_OBJECTS:
            self._room.append(block)
        del objects[uid]
        self._changes[block] += 1
        if not objects:
            self._gzipped[block] = None

    def add(self, obj: dict[str, Any]) -> None:
        uid = self._uid(obj)
        rendered = self._render(obj)
        with self._lock:
            if rendered is None:
                self._drop(uid)
            else:
                self._put(uid, rendered)
        note_event()

    def delete(self, obj: dict[str, Any]) -> None:
        with self._lock:
            self._drop(self._uid(obj))
        note_event()

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
            self._put(uid, rendered)
        seen.add(uid)

    def commit(self, seen: set[str]) -> None:
        """End a list: drop the objects it did not return (deleted meanwhile, or no longer in this shard)."""
        with self._lock:
            gone = [uid for uid in self._where if uid not in seen]
            for uid in gone:
                self._drop(uid)
        if len(seen) >= TRIM_AFTER or len(gone) >= TRIM_AFTER:
            release_free_memory()

    def __len__(self) -> int:
        return len(self._where)

    def snapshot(self) -> list[tuple[bytes | None, ...]]:
        with self._lock:
            return [rendered for objects in self._blocks for rendered in objects.values()]

    def gzipped(self) -> list[tuple[deflate.Piece | None, ...]]:
        """Per block with objects: one compressed piece per family (None for a family with no lines in the
        block), compressed now for the blocks changed since they were last compressed (outside the lock)."""
        with self._lock:
            state = [(index, self._changes[index], cached, list(objects.values()) if cached is None
                      or cached[0] != self._changes[index] else None)
                     for index, (objects, cached) in enumerate(zip(self._blocks, self._gzipped, strict=True))
                     if objects]
        pieces: list[tuple[deflate.Piece | None, ...]] = []
        fresh: list[tuple[int, int, tuple[deflate.Piece | None, ...]]] = []
        for index, changes, cached, values in state:
            if values is None:
                pieces.append(cached[1])  # type: ignore[index]
                continue
            block = tuple(deflate.piece(join(values, family)) for family in range(len(self.generators)))
            pieces.append(block)
            fresh.append((index, changes, block))
        if fresh:
            with self._lock:
                for index, changes, block in fresh:
                    if self._changes[index] == changes:
                        self._gzipped[index] = (changes, block)
        return pieces


def join(objects: Iterable[tuple[bytes | None, ...]], family: int) -> bytes:
    """The lines of family `family` (0-based) of these objects, their default labels spliced in."""
    index = family + 1
    return b"".join([rendered[index] if rendered[0] is None else rendered[index].replace(MARK, rendered[0])
                     for rendered in objects if rendered[index]])  # type: ignore[union-attr,arg-type]


def write(generators: Sequence[FamilyGenerator], stores: Sequence[MetricsStore], openmetrics: bool) -> Iterator[bytes]:
    """One resource's families: each header once, then every object's lines of that family. Nothing at all when
    the resource has no objects (as kube-state-metrics)."""
    snapshots = [store.snapshot() for store in stores]
    if not any(snapshots):
        return
    objects = snapshots[0] if len(snapshots) == 1 else [rendered for snapshot in snapshots for rendered in snapshot]
    for index, generator in enumerate(generators):
        yield generator.openmetrics_header() if openmetrics else generator.header()
        yield join(objects, index)


def write_gzipped(generators: Sequence[FamilyGenerator], stores: Sequence[MetricsStore], openmetrics: bool
                  ) -> Iterator[deflate.Piece | None]:
    """What write() yields, as compressed pieces (deflate.member joins them into a gzip body)."""
    blocks = [block for store in stores for block in store.gzipped()]
    if not blocks:
        return
    for index, generator in enumerate(generators):
        yield compressed_header(generator, openmetrics)
        for block in blocks:
            yield block[index]


def compressed_header(generator: FamilyGenerator, openmetrics: bool) -> deflate.Piece | None:
    """A family's HELP/TYPE lines as a compressed piece, compressed once."""
    header = generator.openmetrics_header() if openmetrics else generator.header()
    try:
        return _headers[header]
    except KeyError:
        compressed = _headers[header] = deflate.piece(header)
        return compressed
