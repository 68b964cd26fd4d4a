"""kube-state-metrics' own custom resource state tests (../shared/reference/ksm-crs-cases/), run in process against
kube_state_exporter.custom_resource_state, each kind as the cases' README says (the end-to-end variant, served
by the simulator to the running exporter, is tests/integration/test_kube_crs_cases.py).

The cases' object went through Go's JSON round trip, so every number in it is a float64: it is given to us
with every number a float (`go_json`). KSM's error texts are compared exactly.

DIVERGENCES are the two places where we differ from KSM on purpose, written as cases of the same shape with
KSM's outcome (`expected`) and ours (`ours`), and the reason.

    python -m tests.kube_crs_cases        # one line per difference, then the count
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CASES = REPO.parent / "shared" / "reference" / "ksm-crs-cases"
FILES = ("registry_factory.json", "config.json", "custom_resource_metrics.json")

# The shared object of registry_factory.json, for the divergence cases (they are not KSM's).
_DIVERGENCE_OBJECT = {"metadata": {"name": "db"}, "spec": {"parameters": {"max_connections": "200"}},
                      "status": {"usage": "85.5%", "replicas": {"ready": 2, "wanted": {"ready": 7}}}}
DIVERGENCES = [
    {"name": "gauge on a map with valueFrom", "kind": "each_values", "object": _DIVERGENCE_OBJECT,
     "config": {"type": "Gauge", "gauge": {"path": ["status", "replicas"], "valueFrom": ["ready"]}},
     "expected": {"samples": [{"labels": {}, "value": 2}, {"labels": {}, "value": 7}], "errors": []},
     "ours": {"samples": [{"labels": {}, "value": 2}], "errors": []},
     "reason": "KSM reads valueFrom under each entry of the map (here a stray 7 from the nested map `wanted`, "
               "duplicates with nilIsZero, nothing for a valueFrom of two steps); we read it under the map "
               "itself, which is what the config says"},
    {"name": "percentage with a fraction", "kind": "each_values", "object": _DIVERGENCE_OBJECT,
     "config": {"type": "Gauge", "gauge": {"path": ["status", "usage"]}},
     "expected": {"samples": [], "errors": ['[status,usage]: []: strconv.ParseFloat: parsing "85.5%": invalid syntax']},
     "ours": {"samples": [{"labels": {}, "value": 0.855}], "errors": []},
     "reason": "KSM takes only integer digits before % and refuses 85.5%; we read it as 0.855"},
]


def load() -> list[dict]:
    cases = []
    for name in FILES:
        cases.extend(json.loads((CASES / name).read_text()))
    return cases


def go_json(value: Any) -> Any:
    """The value as Go sees it after a JSON round trip into interface{}: every number a float64."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return [go_json(item) for item in value]
    return {key: go_json(item) for key, item in value.items()}


def _samples(pairs: list) -> Counter:
    return Counter((tuple(sorted(labels.items())), float(value)) for labels, value in pairs)


def _describe(resource, metric) -> dict:
    from kube_state_exporter.custom_resource_state.families import family_labels

    common, labels_from_path = family_labels(resource, metric)
    return {"name": resource.full_name(metric.name), "help": metric.help, "labels": common,
            "labelsFromPath": {name: list(path) for name, path in labels_from_path}, "errorLogV": metric.error_log_v}


def compiled(resource) -> dict:
    """A compiled resource as KSM's test encodes it (the `each` details left out, as there)."""
    return {"metricNamePrefix": resource.prefix,
            "groupVersionKind": {"group": resource.group, "version": resource.version, "kind": resource.kind},
            "resourceName": resource.plural, "families": [_describe(resource, m) for m in resource.metrics]}


def _config_field(resources: list, what: str) -> Any:
    """A field named as config.json's checks name them: of the decoded config (spec.resources[0]...) or of the
    compiled factory of spec.resources[0] (families[1].labelsFromPath, resourceName)."""
    if what.startswith("spec.resources[0].metrics["):
        index, field = what[len("spec.resources[0].metrics["):].split("].", 1)
        return {"name": resources[0].metrics[int(index)].name}[field]
    factory = compiled(resources[0])
    if what.startswith("families["):
        index, field = what[len("families["):].split("].", 1)
        return factory["families"][int(index)][field]
    return factory[what]


def evaluate(case: dict) -> Any:
    """Our outcome for the case, in the shape of its `expected`."""
    from exporter_toolkit.errors import ConfigError
    from kube_state_exporter.custom_resource_state import config, families, paths, values

    kind, obj = case["kind"], go_json(case.get("object"))
    if kind == "each_values":
        samples, errors = values.each_samples(config.parse_each(case["config"]), obj)
        return {"samples": _samples(samples), "errors": errors}
    if kind == "path_labels":
        rules = config.parse_each({"type": "Info", "info": case["config"]}).labels_from_path
        return {"labels": paths.labels_at(obj, rules)}
    if kind == "compile_error":
        try:
            config.parse_each(case["config"])
        except ConfigError as exc:
            return {"error": True, "message": str(exc)}
        return {"error": False}
    if kind == "base_labels":
        rules = config.parse_each({"type": "Info", "info": case["config"]}).labels_from_path
        return {"labels": families.base_labels(case["config"].get("commonLabels") or {}, rules, obj)}
    if kind == "default_labels":
        return {"labels": families.with_defaults(case["input"]["labels"], case["input"]["defaults"])}
    if kind == "to_metric":
        keys, label_values, value = families.to_row((case["input"]["labels"], case["input"]["value"]))
        return {"label_keys": list(keys), "label_values": list(label_values), "value": value}
    if kind == "full_name":
        resource = config.parse_resource({**case["config"], "metrics": []})
        return {"name": resource.full_name(case["config"]["metrics"][0]["name"])}
    if kind == "path_get":
        return {"value": paths.get(obj, config.parse_each({"type": "Info", "info": case["config"]}).path)}
    if kind == "config":
        try:
            resources = config.parse_config(case["config_yaml"])
        except ConfigError as exc:
            return {"error": True, "message": str(exc)}
        return {"error": False, "checks": [_config_field(resources, c["what"]) for c in case["expected"]["checks"]]}
    if kind == "compile_resource":
        try:
            return {"error": False, "result": compiled(config.parse_resource(case["config"]))}
        except ConfigError as exc:
            return {"error": True, "message": str(exc)}
    raise ValueError(f"unknown case kind {kind!r}")


def _same(want: Any, got: Any) -> bool:
    """Equal, a bool never equal to a number (Go's reflect.DeepEqual)."""
    return want == got and isinstance(want, bool) == isinstance(got, bool)


def compare(case: dict, got: dict, expected: dict | None = None) -> list[str]:
    """Every difference between the case's expected outcome (or `expected`) and ours; empty when they agree."""
    want = case["expected"] if expected is None else expected
    kind = case["kind"]
    problems = []
    if kind == "each_values":
        wanted = _samples([(s["labels"], s["value"]) for s in want["samples"]])
        for key in sorted(set(wanted) | set(got["samples"]), key=str):
            if wanted[key] != got["samples"][key]:
                problems.append(f"{'missing' if wanted[key] > got['samples'][key] else 'extra'} sample {key}")
        if want["errors"] != got["errors"]:
            problems.append(f"errors: want {want['errors']} got {got['errors']}")
    elif kind == "compile_error":
        if not got["error"] or want["error_contains"] not in got["message"]:
            problems.append(f"want an error containing {want['error_contains']!r}, got {got}")
    elif kind == "config":
        if got["error"] != want.get("decode_error", want.get("error", False)):
            problems.append(f"error: {got}")
        for check, value in zip(want["checks"], got.get("checks", []), strict=False):
            if not _same(check["equals"], value):
                problems.append(f"{check['what']}: want {check['equals']!r} got {value!r}")
    elif kind == "compile_resource":
        if got["error"]:
            problems.append(f"error: {got['message']}")
        elif "result" in want and got["result"] != want["result"]:
            problems.append(f"result: want {want['result']} got {got['result']}")
        elif "result_differs_from" in want and got["result"] == want["result_differs_from"]:
            problems.append("result equals result_differs_from")
    else:
        for key, value in want.items():
            if not _same(value, got.get(key)):
                problems.append(f"{key}: want {value!r} got {got.get(key)!r}")
    return problems


def run(case: dict) -> list[str]:
    try:
        return compare(case, evaluate(case))
    except Exception as exc:  # an implementation that raises fails the case, reported like any other difference
        return [f"error {type(exc).__name__}: {exc}"]


def main() -> int:
    cases = load()
    failed = 0
    for case in cases:
        problems = run(case)
        if problems:
            failed += 1
            print(f"## {case['source']}")
            for line in problems:
                print("  " + line)
    for case in DIVERGENCES:
        got = evaluate(case)
        status = "as documented" if not compare(case, got, case["ours"]) else "NOT as documented"
        print(f"# divergence {case['name']!r}: {status} ({case['reason']})")
    print(f"# {len(cases) - failed}/{len(cases)} cases pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
