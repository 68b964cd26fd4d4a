"""What a store keeps per object: its default labels once, spliced into every line at scrape time; an object
whose own text holds a NUL (the splice mark) is kept whole, and both come out as if rendered directly."""

from __future__ import annotations

from kube_state_exporter.resources import RESOURCES, Allowlists
from kube_state_exporter.store import MetricsStore, label_prefix, render, write

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
