"""A configured resource as families: labels merged as KSM merges them, read errors reported."""

from __future__ import annotations

from kube_state_exporter.custom_resource_state import ReadErrors, parse_config, resource_spec
from kube_state_exporter.resources import Allowlists

CONFIG = """
spec:
  resources:
    - groupVersionKind: {group: db.example.com, version: v1, kind: Database}
      commonLabels: {team: data, customresource_kind: mine}
      labelsFromPath: {name: [metadata, name]}
      metrics:
        - name: parameter
          commonLabels: {customresource_group: ours}
          each:
            type: Gauge
            gauge: {path: [spec, parameters], labelFromKey: parameter, labelsFromPath: {team: [team]}}
        - name: replicas
          each: {type: Gauge, gauge: {path: [status, replicas]}}
"""


def families(errors: ReadErrors | None = None) -> list:
    (resource,) = parse_config(CONFIG)
    return resource_spec(resource, errors=errors).families(Allowlists())


def samples(generator, obj: dict) -> list[tuple[dict[str, str], float]]:
    found = []
    for keys, values, value in generator.fn(obj):
        assert list(keys) == sorted(keys)
        found.append((dict(zip(keys, values, strict=True)), value))
    return found


def test_labels_are_merged_as_ksm_merges_them():
    obj = {"metadata": {"name": "db"}, "spec": {"parameters": {"max_connections": "200", "wal_level": "replica"},
                                                "team": "ignored"}}
    parameter, _ = families()
    # commonLabels: the metric's over the resource's over customresource_*; then labels from paths
    assert samples(parameter, obj) == [({"customresource_group": "ours", "customresource_kind": "mine",
                                         "customresource_version": "v1", "name": "db", "team": "data",
                                         "parameter": "max_connections"}, 200.0)]


def test_sample_labels_win_over_base_labels():
    obj = {"metadata": {"name": "db"}, "spec": {"parameters": {"max_connections": {"team": "dba"}}}}
    parameter, _ = families()
    assert [labels["team"] for labels, _ in samples(parameter, obj)] == []  # a map entry is not a number
    # the each's labelsFromPath, read under the map itself, finds team=dba: it wins over commonLabels' team=data
    obj["spec"]["parameters"] = {"max_connections": "200", "team": "dba"}
    assert {labels["parameter"]: labels["team"] for labels, _ in samples(parameter, obj)} == {"max_connections": "dba"}


def test_read_errors_are_recorded_per_resource_and_family():
    errors = ReadErrors()
    _, replicas = families(errors)
    assert samples(replicas, {"status": {"replicas": {"ready": 1}}})[0][1] == 1.0  # a map is read entry by entry
    assert errors.counts == {}
    assert samples(replicas, {"status": {"replicas": [{"ready": 1}, {"ready": 2}]}}) == []  # maps, not numbers
    assert samples(replicas, {"status": {}}) == []  # the path does not resolve
    assert errors.counts == {("databases", "kube_customresource_replicas"): 3}
