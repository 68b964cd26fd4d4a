"""A JSON null in any field of any store case's object renders as Go decodes it.

Go's encoding/json (and Kubernetes' fork of it) leaves a struct field it reads as null at its zero value, which
is also what an absent field gets: so a null field must render exactly like the same object without the field.
A null entry of a map is different: the key is kept with the element's zero value ("" in a map[string]string
such as labels, a zero Quantity in a ResourceList), so it must render like that entry set to "" or "0".
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from kube_state_exporter.resources import RESOURCES, Allowlists
from kube_state_exporter.store import MetricsStore, write
from tests.kube_store_cases import load, resources

Path = tuple[str | int, ...]
STRING_MAPS = {"labels", "annotations", "nodeSelector", "attachmentMetadata", "matchLabels", "data",
               "parameters"}
QUANTITY_MAPS = {"capacity", "allocatable", "requests", "limits", "hard", "used", "min", "max", "default",
                 "defaultRequest", "maxLimitRequestRatio", "allocatedResources"}

# The issue's pod: every optional status field null at once.
ISSUE_POD = {"metadata": {"name": "n"}, "spec": {"containers": [{"name": "c", "image": "x"}]},
             "status": {"phase": "Running", "containerStatuses": None, "conditions": None, "startTime": None,
                        "podIP": None, "hostIP": None, "qosClass": None}}


def fields(node: Any, prefix: Path = ()) -> Iterator[Path]:
    """The path of every object key, at any depth (through lists too)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from fields(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from fields(value, (*prefix, index))


def changed(obj: dict[str, Any], path: Path, value: Any = None, delete: bool = False) -> dict[str, Any]:
    obj = copy.deepcopy(obj)
    node = obj
    for part in path[:-1]:
        node = node[part]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return obj


def render(resource: str, case: dict, obj: dict[str, Any]) -> str:
    spec = RESOURCES[resource]
    allow = Allowlists(labels=case["labels_allow"] or None, annotations=case["annotations_allow"] or None)
    generators = spec.families(allow)
    store = MetricsStore(spec, generators)
    store.replace([obj])
    assert store.errors.counts == {}, store.errors.counts  # nothing was left out: every family rendered
    return b"".join(write(generators, [store], False)).decode()


def zero_value_twin(obj: dict[str, Any], path: Path) -> dict[str, Any]:
    """What Go decodes a null at `path` to: the field absent, or the map entry at its element's zero value."""
    parent = path[-2] if len(path) > 1 else None
    if parent in STRING_MAPS:
        return changed(obj, path, "")
    if parent in QUANTITY_MAPS:
        return changed(obj, path, "0")
    return changed(obj, path, delete=True)


CASES = [(resource, case) for resource in resources() for case in load(resource)]


@pytest.mark.parametrize(("resource", "case"), CASES, ids=[f"{r}-{case['name']}" for r, case in CASES])
def test_null_field_renders_as_its_zero_value(resource, case):
    problems = []
    paths = list(fields(case["object"]))
    assert paths  # the case has fields to null
    for path in paths:
        nulled = render(resource, case, changed(case["object"], path))
        twin = render(resource, case, zero_value_twin(case["object"], path))
        if nulled != twin:
            problems.append(".".join(map(str, path)))
    assert not problems, f"null renders unlike Go's zero value at: {', '.join(problems)}"


def test_the_issue_pod_renders_like_the_pod_without_those_fields():
    case = {"labels_allow": [], "annotations_allow": []}
    absent = copy.deepcopy(ISSUE_POD)
    absent["status"] = {"phase": "Running"}
    text = render("pods", case, ISSUE_POD)
    assert text == render("pods", case, absent)
    assert 'kube_pod_status_phase{namespace="",pod="n",uid="",phase="Running"} 1' in text
