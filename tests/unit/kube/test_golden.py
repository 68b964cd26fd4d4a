"""Golden tests per resource: object JSON in (tests/fixtures/kube/<resource>.json), exposition text out
(tests/fixtures/kube/<resource>.prom), compared in full. UPDATE_GOLDEN=1 rewrites the .prom files."""

from __future__ import annotations

import json
import os

import pytest

from kube_state_exporter.resources import RESOURCES, Allowlists
from kube_state_exporter.store import MetricsStore, write
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "kube"
# Labels `app` and `team` of every resource, and every annotation, as the allowlist flags would give them.
ALLOW = Allowlists(labels=["app", "team"], annotations=["*"])


def scrape(resource: str, objects: list[dict], openmetrics: bool = False) -> str:
    spec = RESOURCES[resource]
    generators = spec.families(ALLOW)
    store = MetricsStore(spec, generators)
    store.replace(objects)
    return b"".join(write(generators, [store], openmetrics)).decode()


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_resource_matches_golden(resource):
    objects = json.loads((FIXTURES / f"{resource}.json").read_text())
    output = scrape(resource, objects)
    golden = FIXTURES / f"{resource}.prom"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(output)
    assert output.splitlines() == golden.read_text().splitlines()


def test_every_resource_has_a_fixture():
    assert sorted(p.stem for p in FIXTURES.glob("*.json")) == sorted(RESOURCES)


def test_no_objects_no_headers():
    assert scrape("pods", []) == ""


def test_labels_are_not_exposed_without_an_allowlist():
    spec = RESOURCES["pods"]
    generators = spec.families(Allowlists())
    store = MetricsStore(spec, generators)
    store.replace(json.loads((FIXTURES / "pods.json").read_text()))
    text = b"".join(write(generators, [store], False)).decode()
    assert "# TYPE kube_pod_labels gauge" in text
    assert "kube_pod_labels{" not in text


def test_secret_data_never_appears():
    text = scrape("secrets", json.loads((FIXTURES / "secrets.json").read_text()))
    assert "c2VjcmV0" not in text and "password\"" not in text.replace('secret="db-password"', "")


def test_openmetrics_counter_headers_drop_total():
    text = scrape("pods", json.loads((FIXTURES / "pods.json").read_text()), openmetrics=True)
    assert "# TYPE kube_pod_container_status_restarts counter" in text
    assert ('kube_pod_container_status_restarts_total{namespace="shop",pod="web-1",uid="uid-web-1",'
            'container="crashy"} 7') in text
