"""The config document: what is refused when it is read (one line naming the resource, metric and path), and
the exporter's exit 2 on it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from exporter_toolkit.errors import ConfigError
from kube_state_exporter.custom_resource_state import parse_config
from tests.conftest import REPO

BAD_PATH = """
spec:
  resources:
    - groupVersionKind: {group: net.example.com, version: v1, kind: Service}
      metrics:
        - name: endpoint_port
          each:
            type: Gauge
            gauge: {path: [status, endpoints, "[name]", port]}
"""


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


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kube_state_exporter", "--apiserver=http://127.0.0.1:9", *args],
                          capture_output=True, text=True, timeout=60, cwd=REPO)


@pytest.mark.parametrize(("args", "reason"), [
    (["--custom-resource-state-config-file=/nonexistent/crs.yaml"], "/nonexistent/crs.yaml: no such file"),
    (["--custom-resource-state-config=spec: ["], "--custom-resource-state-config: not valid YAML"),
    ([f"--custom-resource-state-config={BAD_PATH}"],
     "--custom-resource-state-config: spec.resources[0] (Service.net.example.com) metric endpoint_port: "
     "each.gauge.path [status,endpoints,[name],port]: invalid list lookup: [name]"),
])
def test_the_exporter_exits_2_with_one_line(args, reason):
    result = _run(*args)
    assert result.returncode == 2 and reason in result.stderr and len(result.stderr.strip().splitlines()) == 1, \
        result.stderr
