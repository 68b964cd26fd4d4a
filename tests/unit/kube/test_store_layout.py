"""What a store keeps per object: its default labels once, spliced into every line at scrape time; an object
whose own text holds a NUL (the splice mark) is kept whole, and both come out as if rendered directly."""

from __future__ import annotations

import itertools

from kube_state_exporter import store as store_module
from kube_state_exporter.resources import RESOURCES, Allowlists
from kube_state_exporter.store import (
    CACHE_LIMIT,
    SHARE_PROBE,
    MetricsStore,
    SharedPieces,
    label_prefix,
    render,
    write,
)

SPEC = RESOURCES["configmaps"]
GENERATORS = SPEC.families(Allowlists(labels=["app"]))


def configmap(name: str, app: str) -> dict:
    return {"metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}", "resourceVersion": "1",
                         "creationTimestamp": "2026-01-01T00:00:00Z", "labels": {"app": app}}}


def direct(obj: dict) -> bytes:
    return b"".join(render(GENERATORS, label_prefix(SPEC.default_keys, SPEC.labels_of(obj)), obj))


def test_default_labels_are_kept_once_and_spliced_into_every_line():
    store = MetricsStore(SPEC, GENERATORS)
    obj = configmap("plain", "web")
    store.add(obj)
    (kept,) = store.snapshot()
    assert kept[0] == b'namespace="default",configmap="plain"'
    assert all(kept[0] not in piece for piece in kept[1:])  # not repeated per line
    body = b"".join(write(GENERATORS, [store], False))
    assert body.count(b'namespace="default",configmap="plain"') == body.count(b"\n") - 2 * len(GENERATORS)
    assert b"".join(line + b"\n" for line in body.splitlines() if not line.startswith(b"#")) == direct(obj)


def test_an_object_with_a_nul_of_its_own_is_kept_whole():
    store = MetricsStore(SPEC, GENERATORS)
    odd, plain = configmap("odd", "a\x00b"), configmap("plain", "web")
    store.replace([odd, plain])
    kept = {rendered[1 + [g.name for g in GENERATORS].index("kube_configmap_info")]: rendered[0]
            for rendered in store.snapshot()}
    assert sorted(prefix is None for prefix in kept.values()) == [False, True]
    body = b"".join(write(GENERATORS, [store], False))
    assert b'label_app="a\x00b"' in body
    lines = sorted(line for line in body.splitlines(keepends=True) if not line.startswith(b"#"))
    assert lines == sorted(direct(odd).splitlines(keepends=True) + direct(plain).splitlines(keepends=True))


def test_alike_family_texts_are_kept_once_and_unique_ones_stop_being_looked_up():
    store = MetricsStore(SPEC, GENERATORS)
    store.replace([configmap(f"cm-{i}", "web") for i in range(3)])
    info = 1 + [g.name for g in GENERATORS].index("kube_configmap_info")
    first, *others = store.snapshot()
    assert first[info] and all(rendered[info] is first[info] for rendered in others)  # one copy, three objects

    shared = SharedPieces()
    texts = [f"kube_x{{\x00,n=\"{i}\"}} 1\n".encode() for i in range(SHARE_PROBE + 10)]
    assert [shared.share("kube_x", text) is text for text in texts] == [True] * len(texts)
    assert "kube_x" in shared._unique  # every text differed: the family is no longer looked up
    again = bytes(texts[0])
    assert shared.share("kube_x", again) is again
    alike = [b"kube_y{\x00} 1\n" + b"" for _ in range(SHARE_PROBE + 10)]
    kept = {id(shared.share("kube_y", bytes(text))) for text in alike}
    assert len(kept) == 1 and "kube_y" not in shared._unique


def test_the_table_of_shared_texts_is_bounded():
    shared = SharedPieces()
    for i in range(2 * CACHE_LIMIT + 5):  # half alike, so the family stays looked up; half new texts
        shared.share("kube_z", b"alike" if i % 2 else str(i).encode())
    assert "kube_z" not in shared._unique
    assert 0 < len(shared._texts) <= CACHE_LIMIT


def test_the_heap_is_trimmed_every_so_many_watch_events(monkeypatch):
    trims = []
    monkeypatch.setattr(store_module, "release_free_memory", lambda: trims.append(1))
    monkeypatch.setattr(store_module, "_events", itertools.count(1))
    store = MetricsStore(SPEC, GENERATORS)
    obj = configmap("churned", "web")
    for _ in range(store_module.TRIM_EVERY - 1):
        store.add(obj)
    assert trims == []
    store.delete(obj)
    assert trims == [1]
