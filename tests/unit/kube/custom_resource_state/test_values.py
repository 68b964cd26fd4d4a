"""One metric's samples for one object (the gaps a comparison with KSM found, with the issue's examples)."""

from __future__ import annotations

from kube_state_exporter.custom_resource_state.config import parse_each
from kube_state_exporter.custom_resource_state.values import each_samples

CERTIFICATE = {
    "metadata": {"name": "web"},
    "spec": {"dnsNames": ["a.example.com", "b.example.com"]},
    "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Issued"},
                              {"type": "Issuing", "status": "False", "reason": "Done"}],
               "notAfter": "2025-06-01T12:00:00.5+02:00", "endpoints": {"http": {"port": 80}}},
}


def samples(each: dict, obj: dict) -> tuple[list, list[str]]:
    found, errors = each_samples(parse_each(each), obj)
    return [(labels, value) for labels, value in found], errors


def test_state_set_over_a_list_gives_one_state_set_per_element():
    got, errors = samples({"type": "StateSet", "stateSet": {
        "path": ["status", "conditions"], "valueFrom": ["status"], "labelName": "status",
        "list": ["True", "False", "Unknown"], "labelsFromPath": {"type": ["type"]}}}, CERTIFICATE)
    assert errors == []
    assert sorted((labels["type"], labels["status"], value) for labels, value in got) == [
        ("Issuing", "False", 1.0), ("Issuing", "True", 0.0), ("Issuing", "Unknown", 0.0),
        ("Ready", "False", 0.0), ("Ready", "True", 1.0), ("Ready", "Unknown", 0.0)]


def test_one_bad_map_entry_does_not_drop_the_others():
    database = {"spec": {"parameters": {"max_connections": "200", "wal_level": "replica"}}}
    got, errors = samples({"type": "Gauge", "gauge": {"path": ["spec", "parameters"],
                                                      "labelFromKey": "parameter"}}, database)
    assert got == [({"parameter": "max_connections"}, 200.0)] and errors == []


def test_a_null_map_entry_is_skipped_without_nil_is_zero_and_zero_with_it():
    database = {"spec": {"parameters": {"max_connections": "200", "shared_buffers": None}}}
    each = {"type": "Gauge", "gauge": {"path": ["spec", "parameters"], "labelFromKey": "parameter"}}
    assert samples(each, database)[0] == [({"parameter": "max_connections"}, 200.0)]
    each["gauge"]["nilIsZero"] = True
    assert samples(each, database)[0] == [({"parameter": "max_connections"}, 200.0),
                                          ({"parameter": "shared_buffers"}, 0.0)]


def test_a_time_with_a_fraction_is_whole_seconds():
    got, _ = samples({"type": "Gauge", "gauge": {"path": ["status", "notAfter"]}}, CERTIFICATE)
    assert got == [({}, 1748772000.0)]


def test_an_info_label_from_a_list():
    got, _ = samples({"type": "Info", "info": {"labelsFromPath": {"dns_names": ["spec", "dnsNames"]}}}, CERTIFICATE)
    assert got == [({"dns_names": "[a.example.com b.example.com]"}, 1.0)]


def test_a_map_where_a_number_was_expected_is_an_error_and_no_sample():
    got, errors = samples({"type": "Gauge", "gauge": {"path": ["status", "conditions"]}}, CERTIFICATE)
    assert got == [] and errors == [
        "[status,conditions]: [0]: []: expected number but was map[reason:Issued status:True type:Ready]",
        "[status,conditions]: [1]: []: expected number but was map[reason:Done status:False type:Issuing]"]


def test_a_missing_path_is_an_error_unless_nil_is_zero():
    each = {"type": "Gauge", "gauge": {"path": ["status", "renewalTime"]}}
    assert samples(each, CERTIFICATE) == ([], ["[status,renewalTime]: got nil while resolving path"])
    each["gauge"]["nilIsZero"] = True
    assert samples(each, CERTIFICATE) == ([({}, 0.0)], [])
