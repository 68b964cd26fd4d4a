"""Custom resource state: KSM's config format, path syntax and value conversions (the metrics themselves are
compared with the real kube-state-metrics in tests/integration/test_kube_custom_resources.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kube_state_exporter.custom_resource_state import ConfigError, parse_config, resolve, to_float
from kube_state_exporter.custom_resource_state.paths import _Missing
from tests.conftest import REPO

OBJ = {"metadata": {"name": "foo"}, "spec": {"order": [{"id": 1, "value": True}, {"id": 3, "value": False}]},
       "status": {"conditions": [{"name": "a", "value": 45}, {"name": "b", "value": 66}]}}


@pytest.mark.parametrize(("path", "want"), [
    (("spec", "order", "0", "value"), True),
    (("status", "conditions", "[name=a]", "value"), 45),
    (("status", "conditions", "[value=66]", "name"), "b"),
    (("metadata", "name=foo"), "foo"),
])
def test_path_syntax(path, want):
    assert resolve(OBJ, path) == want


@pytest.mark.parametrize("path", [("spec", "missing"), ("spec", "order", "7"), ("metadata", "name=bar"),
                                  ("status", "conditions", "[name=z]")])
def test_missing_paths_yield_nothing(path):
    with pytest.raises(_Missing):
        resolve(OBJ, path)


@pytest.mark.parametrize(("raw", "want"), [
    (True, 1.0), ("yes", 1.0), ("False", 0.0), ("unknown", 0.0), (3, 3.0), ("250m", 0.25), ("512Mi", 512 * 2**20),
    ("50%", 0.5), ("2024-01-02T03:04:05Z", 1704164645.0), ("1.5e3", 1500.0),
])
def test_value_conversions(raw, want):
    assert to_float(raw, nil_is_zero=False) == want


def test_nil_is_zero_only_when_asked():
    assert to_float(None, nil_is_zero=True) == 0.0
    with pytest.raises(ValueError, match="nilIsZero"):
        to_float(None, nil_is_zero=False)


@pytest.mark.parametrize(("text", "message"), [
    ("spec: [", "not valid YAML"),
    ("kind: Other\nspec: {resources: []}", "CustomResourceStateMetrics"),
    ("spec: {resources: [{groupVersionKind: {group: g}}]}", "version and kind are required"),
    ("spec: {resources: [{groupVersionKind: {group: g, version: v1, kind: K}, metrics: [{name: m, each: "
     "{type: StateSet, stateSet: {path: [a]}}}]}]}", "labelName and list"),
    ("spec: {resources: [{groupVersionKind: {group: g, version: v1, kind: K}, metrics: [{name: m, each: "
     "{type: Histogram}}]}]}", "not Gauge, StateSet or Info"),
    ("spec: {resources: [{groupVersionKind: {group: g, version: v1, kind: K}}, "
     "{groupVersionKind: {group: g, version: v2, kind: K}}]}", "configured twice"),
])
def test_bad_configs_are_refused_with_the_reason(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(text)


def test_default_prefix_and_plural():
    (resource,) = parse_config("spec: {resources: [{groupVersionKind: {group: g, version: v1, kind: Widget}}]}")
    assert resource.prefix == "kube_customresource" and resource.plural == "widgets"


@pytest.mark.parametrize(("args", "reason"), [
    (["--custom-resource-state-config-file=/nonexistent/crs.yaml"], "/nonexistent/crs.yaml: no such file"),
    (["--custom-resource-state-config=spec: ["], "--custom-resource-state-config: not valid YAML"),
])
def test_the_exporter_exits_2_with_one_line(args, reason):
    result = subprocess.run([sys.executable, "-m", "kube_state_exporter", "--apiserver=http://127.0.0.1:9", *args],
                            capture_output=True, text=True, timeout=60, cwd=REPO)
    assert result.returncode == 2 and reason in result.stderr and len(result.stderr.strip().splitlines()) == 1, \
        result.stderr
