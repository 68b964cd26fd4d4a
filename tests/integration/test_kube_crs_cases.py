"""kube-state-metrics' own custom resource state cases through the real wire: each case is written as a config a
user could give and an object the simulator serves (CRDs registered over its API, objects held exactly as
written), our exporter runs as a process with --custom-resource-state-only, and what it serves is compared with
what the case expects (see tests/kube_crs_cases.py for the in-process run of the same cases).

How each kind becomes observable on /metrics (all samples also carry customresource_group/_kind/_version):
- each_values: the `each` as metric case_<n> of kind Case over the case's object; KSM's errors appear as
  missing samples and as our read-error counter on the telemetry port.
- path_labels / path_get: an Info with those labelsFromPath (path_get: one label holding the value, as Go's %v).
- base_labels: the metric's commonLabels and labelsFromPath on a Gauge of spec.replicas.
- default_labels / to_metric: the inputs held in an object of kind Input, read back through labelsFromPath.
- full_name: a resource per case with the case's metricNamePrefix.
- compile_error: the exporter must refuse the config (exit 2, one line with the case's message).
- config / compile_resource: the case's own config served over objects made for it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import requests
import yaml

from kube_sim.server import Simulator
from kube_sim.workload import write_kubeconfig
from kube_state_exporter.metric import format_value
from testbed.kube import KubeExporter, counter_sum, start_ours
from tests import kube_crs_cases
from tests.conftest import REPO
from tests.kube_store_cases import LABEL, sample_key

CASES = kube_crs_cases.load() if kube_crs_cases.CASES.is_dir() else []
pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not CASES, reason="the KSM custom resource cases are not present (../shared)")]
GROUP, VERSION = "crs-cases.example.com", "v1"
ERRORS = "kube_state_metrics_custom_resource_state_errors_total"
SHARED_OBJECT = next((case["object"] for case in CASES if case.get("object")), {})


def _crd(group: str, kind: str, plural: str) -> dict:
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {"group": group, "scope": "Cluster", "names": {"plural": plural, "singular": kind.lower(),
                                                                   "kind": kind, "listKind": f"{kind}List"},
                     "versions": [{"name": VERSION, "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                         "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}


def _fixed(kind: str, group: str = GROUP) -> dict[str, str]:
    return {"customresource_group": group, "customresource_kind": kind, "customresource_version": VERSION}


def _go_value(value) -> str:
    """Go's %v of a value the case names (its numbers are float64)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return format_value(float(value)) if isinstance(value, int | float) else str(value)


def family_samples(text: str, name: str) -> Counter:
    found: Counter = Counter()
    for line in text.splitlines():
        if line.startswith((name + "{", name + " ")):
            found[sample_key(line)] += 1
    return found


def want(name: str, samples: list[tuple[dict, float]]) -> Counter:
    return Counter((name, frozenset((k, v) for k, v in labels.items() if v != ""), float(value))
                   for labels, value in samples)


class Plan:
    """The CRDs, objects and config of the main exporter, and each case's check of what it serves."""

    def __init__(self) -> None:
        self.crds: list[dict] = [_crd(GROUP, "Case", "cases"), _crd(GROUP, "Input", "inputs")]
        self.objects: list[tuple[str, str, dict]] = [(GROUP, "cases", SHARED_OBJECT)]
        self.inputs: dict[str, dict] = {}
        self.resources: dict[str, dict] = {
            "Case": {"groupVersionKind": {"group": GROUP, "version": VERSION, "kind": "Case"},
                     "metricNamePrefix": "", "metrics": []},
            "Input": {"groupVersionKind": {"group": GROUP, "version": VERSION, "kind": "Input"},
                      "metricNamePrefix": "", "metrics": []}}
        self.checks: dict[str, object] = {}

    def add(self, index: int, case: dict) -> None:
        kind, name = case["kind"], f"case_{index}"
        add = getattr(self, f"_{kind}", None)
        if add is not None:
            add(index, name, case)

    def metric(self, resource: str, name: str, **entry) -> None:
        self.resources[resource]["metrics"].append({"name": name, **entry})

    def _each_values(self, index, name, case) -> None:
        self.metric("Case", name, each=case["config"])
        expected = case["expected"]

        def check(metrics: str, telemetry: str) -> list[str]:
            problems = _diff(want(name, [({**s["labels"], **_fixed("Case")}, s["value"]) for s in expected["samples"]]),
                             family_samples(metrics, name))
            errors = counter_sum(telemetry, ERRORS, metric=name)
            if bool(errors) != bool(expected["errors"]):
                problems.append(f"read errors counted {errors}, KSM's errors {expected['errors']}")
            return problems
        self.checks[case["source"]] = check

    def _path_labels(self, index, name, case) -> None:
        self.metric("Case", name, each={"type": "Info", "info": {"labelsFromPath": case["config"]["labelsFromPath"]}})
        labels = case["expected"]["labels"]
        samples = [({**labels, **_fixed("Case")}, 1)] if labels else []
        self.checks[case["source"]] = lambda metrics, _t: _diff(want(name, samples), family_samples(metrics, name))

    def _path_get(self, index, name, case) -> None:
        self.metric("Case", name, each={"type": "Info", "info": {"labelsFromPath": {"value": case["config"]["path"]}}})
        samples = [({"value": _go_value(case["expected"]["value"]), **_fixed("Case")}, 1)]
        self.checks[case["source"]] = lambda metrics, _t: _diff(want(name, samples), family_samples(metrics, name))

    def _base_labels(self, index, name, case) -> None:
        self.metric("Case", name, commonLabels=case["config"]["commonLabels"],
                    labelsFromPath=case["config"]["labelsFromPath"],
                    each={"type": "Gauge", "gauge": {"path": ["spec", "replicas"]}})
        samples = [({**case["expected"]["labels"], **_fixed("Case")}, case["object"]["spec"]["replicas"])]
        self.checks[case["source"]] = lambda metrics, _t: _diff(want(name, samples), family_samples(metrics, name))

    def _default_labels(self, index, name, case) -> None:
        self.inputs[str(index)] = {"labels": case["input"]["labels"]}
        self.metric("Input", name, commonLabels=case["input"]["defaults"], each={"type": "Info", "info": {
            "labelsFromPath": {k: ["input", str(index), "labels", k] for k in case["input"]["labels"]}}})
        samples = [({**case["expected"]["labels"], **_fixed("Input")}, 1)]
        self.checks[case["source"]] = lambda metrics, _t: _diff(want(name, samples), family_samples(metrics, name))

    def _to_metric(self, index, name, case) -> None:
        self.inputs[str(index)] = case["input"]
        paths = {k: ["input", str(index), "labels", k] for k in case["input"]["labels"]}
        self.metric("Input", name, labelsFromPath=paths,
                    each={"type": "Gauge", "gauge": {"path": ["input", str(index), "value"]}})
        expected = case["expected"]
        labels = {**dict(zip(expected["label_keys"], expected["label_values"], strict=True)), **_fixed("Input")}

        def check(metrics: str, _telemetry: str) -> list[str]:
            lines = [line for line in metrics.splitlines() if line.startswith(name + "{")]
            if len(lines) != 1:
                return [f"want one {name} line, got {lines}"]
            written = LABEL.findall(lines[0].split("{", 1)[1].rpartition("}")[0])
            problems = [] if written == sorted(labels.items()) else [f"labels written {written}"]
            if float(lines[0].rpartition(" ")[2]) != expected["value"]:
                problems.append(f"value: {lines[0]}")
            return problems
        self.checks[case["source"]] = check

    def _full_name(self, index, name, case) -> None:
        kind, plural = f"FullName{index}", f"fullname{index}s"
        self.crds.append(_crd(GROUP, kind, plural))
        self.objects.append((GROUP, plural, {"metadata": {"name": "x"}}))
        entry = {k: v for k, v in case["config"].items() if k == "metricNamePrefix"}
        self.resources[kind] = {**entry, "groupVersionKind": {"group": GROUP, "version": VERSION, "kind": kind},
                                "metrics": [{"name": case["config"]["metrics"][0]["name"], "each": {
                                    "type": "Info", "info": {"labelsFromPath": {"name": ["metadata", "name"]}}}}]}
        full = case["expected"]["name"]
        samples = [({"name": "x", **_fixed(kind)}, 1)]
        self.checks[case["source"]] = lambda metrics, _t: _diff(want(full, samples), family_samples(metrics, full))

    def config(self) -> str:
        resources = list(self.resources.values()) + list(CONFIG_CASE_DOCUMENT["spec"]["resources"])
        return yaml.safe_dump({"kind": "CustomResourceStateMetrics", "spec": {"resources": resources}})

    def all_objects(self) -> list[tuple[str, str, dict]]:
        return [*self.objects, (GROUP, "inputs", {"metadata": {"name": "input"}, "input": self.inputs}), *FOOS]


def _diff(wanted: Counter, got: Counter) -> list[str]:
    return [f"{'missing' if wanted[key] > got[key] else 'extra'} {key}"
            for key in sorted(set(wanted) | set(got), key=str) if wanted[key] != got[key]]


# config.json: the document of KSM's example_config.yaml, served over two Foos (one with every field, one with
# none, whose read errors show errorLogV: logged for errorLogV 0, only at debug for errorLogV 5).
FOOS: list[tuple[str, str, dict]] = [
    ("myteam.io", "foos", {"metadata": {"name": "foo-full", "labels": {"foo": "bar"}}, "spec": {"version": "v1.2"},
                           "status": {"active": {"type-a": 2}, "other": 7, "phase": "Running"}}),
    ("myteam.io", "foos", {"metadata": {"name": "foo-empty"}}),
]


CONFIG_CASES = [case for case in CASES if case["kind"] == "config"]
CONFIG_CASE_DOCUMENT = yaml.safe_load(CONFIG_CASES[0]["config_yaml"]) if CONFIG_CASES else {"spec": {"resources": []}}


def check_config_case(case: dict, metrics: str, telemetry: str, log: str) -> list[str]:
    """A config.json case against the exporter serving KSM's example config over FOOS."""
    problems = []
    names = {"kube_customresource_active_count", "kube_customresource_other_count", "kube_customresource_info",
             "kube_customresource_phase"}
    served = {line.split()[2] for line in metrics.splitlines() if line.startswith("# HELP ")}
    if not names <= served:
        problems.append(f"families not served: {sorted(names - served)}")
    fixed = _fixed("Foo", "myteam.io")
    for check in case["expected"]["checks"]:
        what, equals = check["what"], check["equals"]
        if what == "spec.resources[0].metrics[0].name":
            family = f"kube_customresource_{equals}"
            got = family_samples(metrics, family)
            wanted = want(family, [({"type": "type-a", "foo": "bar", "name": "foo-full", "custom_metric": "yes",
                                     **fixed}, 2)])
            problems += _diff(wanted, got)
        elif what == "families[1].labelsFromPath":
            family = "kube_customresource_other_count"
            problems += _diff(want(family, [({"name": "foo-full", **fixed}, 7)]), family_samples(metrics, family))
            if list(equals) != ["name"] or equals["name"] != ["metadata", "name"]:
                problems.append(f"the case's labelsFromPath changed: {equals}")
        elif what == "families[1].errorLogV":
            counted = counter_sum(telemetry, ERRORS, metric="kube_customresource_other_count")
            logged = "kube_customresource_other_count" in log
            if not counted or logged or equals != 5:
                problems.append(f"other_count errors counted {counted}, logged at info level: {logged}")
            if "kube_customresource_active_count" not in log:  # errorLogV 0: its read error is logged
                problems.append("the errorLogV 0 family's read error was not logged")
        elif what == "resourceName":
            if not family_samples(metrics, "kube_customresource_phase") or equals != "foos":
                problems.append("nothing listed from foos")
        else:
            problems.append(f"no wire form for the check {what}")
    return problems


class Wire:
    """The simulator for the module and the exporters of the run."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.sim = Simulator(bookmark_interval=0.5).start()
        self.kubeconfig = write_kubeconfig(workdir / "kubeconfig.yaml", self.sim.url)
        self.exporters: list[KubeExporter] = []

    def define(self, crds: list[dict]) -> None:
        for crd in crds:
            requests.post(f"{self.sim.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd,
                          timeout=10).raise_for_status()

    def load(self, group: str, plural: str, obj: dict, version: str = VERSION) -> None:
        self.sim.store.load(self.sim.store.registry.get(group, version, plural), obj)

    def start(self, config: str, name: str) -> KubeExporter:
        path = self.workdir / f"{name}.yaml"
        path.write_text(config)
        exporter = start_ours(self.kubeconfig, self.workdir, "--custom-resource-state-only",
                              f"--custom-resource-state-config-file={path}")
        self.exporters.append(exporter)
        return exporter

    def close(self) -> None:
        for exporter in self.exporters:
            exporter.stop()
        self.sim.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(plan, metrics, telemetry, log) of the main exporter, every object loaded before it lists."""
    wire = Wire(tmp_path_factory.mktemp("kube-crs-cases"))
    plan = Plan()
    for index, case in enumerate(CASES):
        plan.add(index, case)
    wire.define([*plan.crds, _crd("myteam.io", "Foo", "foos")])
    for group, plural, obj in plan.all_objects():
        wire.load(group, plural, obj)
    exporter = wire.start(plan.config(), "main")
    try:
        yield wire, plan, exporter.metrics(), exporter.telemetry(), Path(exporter.daemon.log_path).read_text()
    finally:
        wire.close()


WIRE_KINDS = ("each_values", "path_labels", "path_get", "base_labels", "default_labels", "to_metric", "full_name")
SERVED = [case for case in CASES if case["kind"] in WIRE_KINDS]


@pytest.mark.parametrize("case", SERVED, ids=[case["source"] for case in SERVED])
def test_case_through_the_wire(served, case):
    _wire, plan, metrics, telemetry, _log = served
    problems = plan.checks[case["source"]](metrics, telemetry)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", CONFIG_CASES, ids=[case["source"] for case in CONFIG_CASES])
def test_config_case_through_the_wire(served, case):
    _wire, _plan, metrics, telemetry, log = served
    problems = check_config_case(case, metrics, telemetry, log)
    assert not problems, "\n".join(problems)


COMPILE_ERRORS = [case for case in CASES if case["kind"] == "compile_error"]


@pytest.mark.parametrize("case", COMPILE_ERRORS, ids=[case["source"] for case in COMPILE_ERRORS])
def test_compile_error_refuses_to_start(case, tmp_path):
    config = yaml.safe_dump({"spec": {"resources": [{"groupVersionKind": {"group": GROUP, "version": VERSION,
                                                                          "kind": "Case"},
                                                     "metrics": [{"name": "broken", "each": case["config"]}]}]}})
    path = tmp_path / "crs.yaml"
    path.write_text(config)
    result = subprocess.run([sys.executable, "-m", "kube_state_exporter", "--apiserver=http://127.0.0.1:9",
                             f"--custom-resource-state-config-file={path}"],
                            capture_output=True, text=True, timeout=60, cwd=REPO)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert case["expected"]["error_contains"] in lines[0] and "metric broken" in lines[0], lines[0]


RESOURCE_CASES = [case for case in CASES if case["kind"] == "compile_resource"]


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=[case["source"] for case in RESOURCE_CASES])
def test_compile_resource_case_through_the_wire(served, case):
    """The case's resource (apps/v1 Deployment) over a deployment with two annotations."""
    wire = served[0]
    deployment = {"metadata": {"name": "web", "namespace": "default", "annotations": {"a": "1", "b": "2"}},
                  "spec": {"replicas": 1}}
    wire.load("apps", "deployments", deployment, version="v1")
    exporter = wire.start(yaml.safe_dump({"spec": {"resources": [case["config"]]}}), f"resource-{id(case)}")
    try:
        metrics = exporter.metrics()
    finally:
        exporter.stop()
    result = case["expected"].get("result") or {**case["expected"]["result_differs_from"],
                                                 "metricNamePrefix": case["config"]["metricNamePrefix"]}
    (family,) = result["families"]
    assert family["name"] == f"{result['metricNamePrefix']}_{case['config']['metrics'][0]['name']}"
    assert f"# HELP {family['name']} {family['help']}" in metrics
    assert family["labelsFromPath"] == {"name": ["metadata", "name"]}
    wanted = want(family["name"], [({**family["labels"], "name": "web", "test": key}, 1) for key in ("a", "b")])
    problems = _diff(wanted, family_samples(metrics, family["name"]))
    assert not problems, "\n".join(problems)


def test_every_case_has_a_wire_form():
    kinds = {case["kind"] for case in CASES}
    assert kinds <= {*WIRE_KINDS, "config", "compile_error", "compile_resource"}, kinds
    assert len(SERVED) + len(CONFIG_CASES) + len(COMPILE_ERRORS) + len(RESOURCE_CASES) == len(CASES) == 55
    shared = {json.dumps(case["object"], sort_keys=True) for case in SERVED if case.get("object")}
    assert shared == {json.dumps(SHARED_OBJECT, sort_keys=True)}  # every object case reads the one object served
