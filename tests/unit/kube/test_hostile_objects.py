"""Property: whatever an object holds, applying its watch event never raises out of the informer, the exposition
stays valid UTF-8 text, what could not be rendered is counted, and the next good object is still served.

Objects start from each resource's store cases (so the fields the families read are the ones being broken) and
get fields replaced by random JSON (wrong types, nulls, huge or unicode strings with lone surrogates, deep
nesting) or removed.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_state_exporter.informer import Reflector, Telemetry
from kube_state_exporter.resources import RESOURCES, Allowlists
from kube_state_exporter.sharding import Shard
from kube_state_exporter.store import MetricsStore, write
from tests.kube_store_cases import load, resources
from tests.unit.kube.test_null_fields import fields

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["", "1.5", "100m", "1e400", "-1", "2021-01-01T00:00:00Z", "not-a-time", "\ud800", "a\nb\"\\",
                     "Ki", "9" * 40, "\u00e9\u4e2d\U0001f600", "True", "Running", "cpu"]),
    st.builds(lambda char, size: char * size, st.characters(), st.integers(0, 200_000)),
)


def nested(value: Any, depth: int) -> Any:
    for index in range(depth):
        value = [value] if index % 2 else {"x": value}
    return value


JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                    max_leaves=12)
VALUES = st.one_of(JSON, st.builds(nested, SCALARS, st.integers(1, 400)))


def mutate(obj: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    obj = copy.deepcopy(obj)
    for _ in range(data.draw(st.integers(1, 6), label="mutations")):
        paths = list(fields(obj))
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        node = obj
        for part in path[:-1]:
            node = node[part]
        if data.draw(st.booleans(), label="remove"):
            del node[path[-1]]
        else:
            node[path[-1]] = data.draw(VALUES, label="value")
    return obj


def reflector(resource: str) -> Reflector:
    spec = RESOURCES[resource]
    allow = Allowlists(labels=["*"], annotations=["*"])
    store = MetricsStore(spec, spec.families(allow))
    return Reflector(spec, None, api=None, store=store, shard=Shard(0, 2), telemetry=Telemetry())  # type: ignore


def exposition(ref: Reflector) -> str:
    return b"".join(write(ref.store.generators, [ref.store], False)).decode("utf-8")  # raises if not UTF-8


GOOD = {"metadata": {"name": "good", "namespace": "ns", "uid": "good-uid", "resourceVersion": "7"}}


@pytest.mark.parametrize("resource", resources())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_no_object_breaks_the_watch(resource, data):
    cases = load(resource)
    obj = mutate(data.draw(st.sampled_from(cases), label="case")["object"], data)
    ref = reflector(resource)
    if data.draw(st.booleans(), label="through json"):
        obj = json.loads(json.dumps(obj))
    for kind in ("ADDED", "MODIFIED"):
        ref._handle({"type": kind, "object": obj})  # must not raise
    text = exposition(ref)
    # split("\n"), not splitlines(): a value may hold \x1e, \x85... which splitlines() also breaks at
    assert all(line.startswith(("# HELP ", "# TYPE ", "kube_")) for line in text.split("\n") if line)
    ref._handle({"type": "ADDED", "object": copy.deepcopy(GOOD)})
    assert ref.resource_version == "7"
    ref._handle({"type": "DELETED", "object": obj})
    # the watch moved on: the good object after it is served as it would be alone
    alone = reflector(resource)
    alone._handle({"type": "ADDED", "object": copy.deepcopy(GOOD)})
    assert exposition(ref) == exposition(alone)

def test_an_object_that_cannot_be_rendered_is_counted_and_the_watch_moves_on():
    ref = reflector("pods")
    ref.shard = Shard(0, 1)
    bad = {"metadata": {"name": "bad", "namespace": "ns", "uid": "bad-uid", "resourceVersion": "5"},
           "status": {"containerStatuses": [{"name": "c", "restartCount": {"not": "a number"}}]}}
    ref._handle({"type": "ADDED", "object": bad})
    assert ref.resource_version == "5"
    assert ref.store.errors.counts == {"kube_pod_container_status_restarts_total": 1}
    text = exposition(ref)
    assert 'kube_pod_info{namespace="ns",pod="bad",uid="bad-uid"' in text  # served with what could be rendered
    assert "kube_pod_container_status_restarts_total{" not in text
    ref._handle({"type": "ADDED", "object": {**GOOD, "status": {"containerStatuses": [
        {"name": "c", "restartCount": 8}]}}})
    assert ref.resource_version == "7"
    assert 'kube_pod_container_status_restarts_total{namespace="ns",pod="good",uid="good-uid",container="c"} 8' \
        in exposition(ref)


def test_an_object_without_usable_metadata_is_left_out():
    ref = reflector("configmaps")
    ref.shard = Shard(0, 1)
    ref._handle({"type": "ADDED", "object": {"metadata": {"name": 5, "namespace": "ns", "uid": ["x"]}}})
    assert ref.store.errors.counts == {"default labels": 1}
    assert len(ref.store) == 0


class OnePage:
    """An API client whose every GET answers one list page."""

    def __init__(self, page: dict) -> None:
        self.body = json.dumps(page).encode()

    def param_serialize(self, method, path, **_kwargs):
        return method, path, {}, None, None

    def call_api(self, method, url, **_kwargs):
        response = type("Response", (), {"status": 200, "data": self.body, "release_conn": lambda self: None})()
        return type("Result", (), {"response": response})()


def test_a_list_page_with_objects_that_cannot_be_read_still_syncs():
    items = [5, "text", None, [1], {"metadata": {"name": 5, "uid": "u5"}},
             {"metadata": {"name": "half", "namespace": "ns", "uid": "u-half"}, "data": ["not", "a", "map"]},
             copy.deepcopy(GOOD)]
    ref = reflector("configmaps")
    ref.shard = Shard(0, 1)
    ref.api = OnePage({"metadata": {"resourceVersion": "9"}, "items": items})  # type: ignore[assignment]
    ref._list()
    assert ref.synced.is_set() and ref.resource_version == "9"
    text = exposition(ref)
    assert 'kube_configmap_info{namespace="ns",configmap="good"} 1' in text
    assert 'kube_configmap_info{namespace="ns",configmap="half"} 1' in text
    assert ref.store.errors.total() >= 5  # the four that are not objects, the one whose name is not a string
