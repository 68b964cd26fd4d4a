"""The config document: what is refused when it is read (one line naming the resource, metric and path; the
exporter's exit 2 on it is tested in tests/integration/test_kube_custom_resources.py)."""

from __future__ import annotations

import pytest

from exporter_toolkit.errors import ConfigError
from kube_state_exporter.custom_resource_state import parse_config
from tests.conftest import REPO

BAD_PATH = (REPO / "tests" / "fixtures" / "kube-crs" / "bad-path.yaml").read_text()


@pytest.mark.parametrize(("text", "message"), [
    ("spec: [", "not valid YAML"),
    ("kind: Other\nspec: {resources: []}", "CustomResourceStateMetrics"),
    ("spec: {resources: [{groupVersionKind: {group: g}}]}", "version and kind are required"),
    ("spec: {resources: [{groupVersionKind: {group: g, version: v1, kind: K}, metrics: [{name: m, each: "
     "{type: StateSet, stateSet: {path: [a]}}}]}]}", "labelName and list"),
    ("spec: {resources: [{groupVersionKind: {group: g, version: v1, kind: K}, metrics: [{name: m, each: "
     "{type: Histogram}}]}]}", "not Gauge, StateSet or Info"),
    ("spec: {resources: [{groupVersionKind: {group: g, version: v1, kind: K}, metrics: [{name: m, each: "
     "{type: Gauge}}]}]}", "each.gauge: expected a mapping"),
    ("spec: {resources: [{groupVersionKind: {group: g, version: v1, kind: K}}, "
     "{groupVersionKind: {group: g, version: v2, kind: K}}]}", "configured twice"),
    (BAD_PATH, "spec.resources[0] (Service.net.example.com) metric endpoint_port: each.gauge.path "
               "[status,endpoints,[name],port]: invalid list lookup: [name]"),
    (BAD_PATH.replace("gauge: {path:", "gauge: {path: [spec], labelsFromPath: {port:").replace("port]}", "port]}}"),
     "metric endpoint_port: each.gauge.labelsFromPath.port [status,endpoints,[name],port]: invalid list lookup"),
])
def test_bad_configs_are_refused_with_the_reason(text, message):
    with pytest.raises(ConfigError) as raised:
        parse_config(text)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_defaults_prefix_plural_and_type_case():
    (resource,) = parse_config("spec: {resources: [{groupVersionKind: {group: g, version: v1, kind: Widget}, "
                               "metrics: [{name: m, each: {type: gauge, gauge: {path: [a]}}}]}]}")
    assert resource.prefix == "kube_customresource" and resource.plural == "widgets"
    assert resource.metrics[0].each.type == "Gauge" and resource.full_name("m") == "kube_customresource_m"


def test_error_log_v_of_the_metric_overrides_the_resource():
    (resource,) = parse_config("spec: {resources: [{groupVersionKind: {group: g, version: v1, kind: K}, "
                               "errorLogV: 3, metrics: [{name: a, each: {type: Info, info: {}}}, "
                               "{name: b, errorLogV: 5, each: {type: Info, info: {}}}]}]}")
    assert [m.error_log_v for m in resource.metrics] == [3, 5]
