"""The custom resource state config (--custom-resource-state-config[-file]): any YAML document, well formed or
broken at any depth, gives parsed resources or a ConfigError of one line naming the flag (the daemon prints it and
exits 2), never another exception."""

from __future__ import annotations

import subprocess
import sys

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from exporter_toolkit.errors import ConfigError
from kube_state_exporter.app import custom_resource_config
from kube_state_exporter.custom_resource_state.config import CustomResource
from tests.fuzz.support import examples, tried

junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=20)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(st.text(max_size=10), st.integers()), children, max_size=4)),
    max_leaves=12)


def maybe(valid):
    """Usually the valid shape, sometimes anything at all in its place."""
    return st.one_of(valid, valid, valid, junk)


def fields(required: dict, optional: dict | None = None):
    """A mapping with these keys (values drawn from their strategies), a few of them sometimes left out."""
    keys = {**required, **(optional or {})}
    return st.builds(lambda values, dropped: {k: v for k, v in values.items() if k not in dropped},
                     st.fixed_dictionaries(keys), st.sets(st.sampled_from(sorted(keys)), max_size=2))


segments = st.one_of(st.sampled_from(["status", "spec", "replicas", "[name=a]", "[x]", "conditions", "0", "[]", "*"]),
                     st.text(max_size=8), st.integers(-2, 3))
paths = maybe(st.lists(segments, max_size=4))
label_maps = maybe(st.dictionaries(st.text(max_size=8), paths, max_size=3))
each_body = fields({"path": paths}, {"valueFrom": paths, "labelFromKey": maybe(st.text(max_size=8)),
                                      "labelsFromPath": label_maps, "nilIsZero": maybe(st.booleans()),
                                      "labelName": maybe(st.text(max_size=8)),
                                      "list": maybe(st.lists(st.text(max_size=5), max_size=3))})
each = st.one_of(*(fields({"type": maybe(st.just(kind)), body: maybe(each_body)})
                   for kind, body in (("Gauge", "gauge"), ("StateSet", "stateSet"), ("Info", "info"),
                                      ("gauge", "gauge"), ("Counter", "counter"))))
metric = fields({"name": maybe(st.text(max_size=12)), "each": maybe(each)},
                {"help": maybe(st.text(max_size=10)), "commonLabels": maybe(st.dictionaries(st.text(max_size=5),
                                                                                            junk, max_size=2)),
                 "labelsFromPath": label_maps, "errorLogV": maybe(st.integers(-1, 5))})
resource = fields({"groupVersionKind": maybe(fields({"group": maybe(st.text(max_size=10)),
                                                     "version": maybe(st.sampled_from(["v1", "v1beta1", ""])),
                                                     "kind": maybe(st.text(max_size=10))})),
                   "metrics": maybe(st.lists(maybe(metric), max_size=3))},
                  {"metricNamePrefix": maybe(st.text(max_size=8)), "resourcePlural": maybe(st.text(max_size=8)),
                   "commonLabels": maybe(st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)),
                   "labelsFromPath": label_maps, "errorLogV": maybe(st.integers(-1, 5))})
document = fields({"kind": maybe(st.just("CustomResourceStateMetrics")),
                   "spec": maybe(fields({"resources": maybe(st.lists(maybe(resource), max_size=3))}))})


def dump(value) -> str:
    try:
        return yaml.safe_dump(value, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return str(value)


texts = st.one_of(st.builds(dump, document), st.builds(dump, junk), st.text(max_size=200),
                  st.sampled_from(["spec: [", "kind: CustomResourceStateMetrics\nspec: 3", "- a\n- b", "{{", "\t: x",
                                   "spec:\n  resources:\n  - groupVersionKind: [v1]\n", "a: &x [*x]"]))


def check(text: str) -> list[CustomResource] | None:
    try:
        return custom_resource_config(text, "")
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith("--custom-resource-state-config: ") and "\n" not in message, message
        return None


@examples(500)
@given(texts)
@example("spec: [1, 2]")  # found: AttributeError ('list' object has no attribute 'get')
@example("spec:\n  resources:\n  - groupVersionKind: [v1]\n")  # found: AttributeError
@example("spec:\n  resources:\n  - groupVersionKind: {version: v1, kind: K}\n    errorLogV: high\n")  # ValueError
@example("spec:\n  resources:\n  - groupVersionKind: {version: v1, kind: K}\n    metrics: 3\n")  # TypeError
@example("spec:\n  resources:\n  - groupVersionKind: {version: v1, kind: K}\n    metrics: [{name: m, each: "
         "{type: StateSet, stateSet: {path: [a], labelName: s, list: 7}}}]\n")  # TypeError
def test_any_config_parses_or_fails_in_one_line(text: str) -> None:
    tried("custom resource state config")
    parsed = check(text)
    if parsed is not None:
        assert all(isinstance(r, CustomResource) and r.version and r.kind for r in parsed)


def test_the_daemon_exits_2_with_the_one_line(tmp_path):
    bad = tmp_path / "crs.yaml"
    bad.write_text("spec:\n  resources:\n  - groupVersionKind: [v1]\n")
    result = subprocess.run([sys.executable, "-m", "kube_state_exporter", f"--custom-resource-state-config-file={bad}",
                             "--kubeconfig=/nonexistent"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and f"--custom-resource-state-config-file {bad}" in result.stderr
    assert "Traceback" not in result.stderr
