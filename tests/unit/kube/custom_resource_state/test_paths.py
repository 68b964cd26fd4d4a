"""Reading objects: path syntax, value conversions and label values (Go's %v)."""

from __future__ import annotations

import pytest

from kube_state_exporter.custom_resource_state.paths import get, label_value, labels_at, to_float

OBJ = {"metadata": {"name": "foo"}, "spec": {"order": [{"id": 1, "value": True}, {"id": 3, "value": False}]},
       "status": {"conditions": [{"name": "a", "value": 45}, {"name": "b", "value": 66}]}}


@pytest.mark.parametrize(("path", "want"), [
    (("spec", "order", "0", "value"), True),
    (("spec", "order", "-1", "id"), 3),
    (("status", "conditions", "[name=a]", "value"), 45),
    (("status", "conditions", "[value=66]", "name"), "b"),
    (("spec", "order", "[value=false]", "id"), 3),
    (("metadata", "name=foo"), "foo"),
])
def test_path_syntax(path, want):
    assert get(OBJ, path) == want


@pytest.mark.parametrize("path", [("spec", "missing"), ("spec", "order", "7"), ("spec", "order", "x"),
                                  ("metadata", "name=bar"), ("status", "conditions", "[name=z]"),
                                  ("metadata", "[name=foo]"), ("metadata", "name", "deeper")])
def test_missing_paths_yield_nothing(path):
    assert get(OBJ, path) is None


@pytest.mark.parametrize(("raw", "want"), [
    (True, 1.0), ("yes", 1.0), ("False", 0.0), ("unknown", 0.0), (3, 3.0), ("250m", 0.25), ("512Mi", 512 * 2**20),
    ("50%", 0.5), ("2024-01-02T03:04:05Z", 1704164645.0), ("1.5e3", 1500.0), ("1e21", 1e21),
    ("85.5%", 0.855),  # a documented divergence: KSM refuses it
])
def test_value_conversions(raw, want):
    assert to_float(raw, nil_is_zero=False) == want


@pytest.mark.parametrize(("raw", "want"), [
    ("2025-06-01T12:00:00.5+02:00", 1748772000.0),  # the example: the fraction dropped, as KSM does
    ("2025-06-01T10:00:00.999999999Z", 1748772000.0),
    ("2025-06-01T10:00:00-00:30", 1748773800.0),
])
def test_rfc3339_times_are_whole_seconds(raw, want):
    assert to_float(raw, nil_is_zero=False) == want


@pytest.mark.parametrize("raw", ["replica", "2025-06-01", "1_000", " 1", {"a": 1}, [1]])
def test_values_that_are_not_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        to_float(raw, nil_is_zero=False)


def test_nil_is_zero_only_when_asked():
    assert to_float(None, nil_is_zero=True) == 0.0
    with pytest.raises(ValueError, match="expected number but found nil value"):
        to_float(None, nil_is_zero=False)


@pytest.mark.parametrize(("value", "want"), [
    (["a.example.com", "b.example.com"], "[a.example.com b.example.com]"),  # the list label
    (1e21, "1e+21"), (1000000.0, "1e+06"), (43.21, "43.21"), (1.0, "1"), (0.00001, "1e-05"),
    (1000000, "1000000"),  # an integer from the API server is Go's int64
    (True, "true"), (None, "<nil>"), ({"b": 2.0, "a": "x"}, "map[a:x b:2]"), ([1.5, [True]], "[1.5 [true]]"),
])
def test_label_values_are_written_as_go_prints_them(value, want):
    assert label_value(value) == want


def test_a_label_from_a_list():
    obj = {"spec": {"dnsNames": ["a.example.com", "b.example.com"]}}
    assert labels_at(obj, [("dns_names", ("spec", "dnsNames"))]) == {"dns_names": "[a.example.com b.example.com]"}


def test_a_label_whose_path_is_missing_or_null_is_skipped_but_a_copied_null_is_written():
    obj = {"metadata": {"labels": {"a": None}, "owner": None}}
    assert labels_at(obj, [("owner", ("metadata", "owner")), ("x", ("metadata", "none"))]) == {}
    assert labels_at(obj, [("*", ("metadata", "labels"))]) == {"a": "<nil>"}  # Go's %v, as KSM copies it


def test_copy_rules_then_plain_names():
    obj = {"metadata": {"labels": {"app.kubernetes.io/name": "x", "tier": "web"}, "name": "n"}}
    got = labels_at(obj, [("*", ("metadata", "labels")), ("l_*", ("metadata", "labels")),
                          ("tier", ("metadata", "name"))])
    assert got == {"app_kubernetes_io_name": "x", "tier": "n", "l_app_kubernetes_io_name": "x", "l_tier": "web"}
