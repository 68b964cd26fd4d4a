"""kube-state-metrics' own store tests (../shared/reference/ksm-store-cases/), run against our resources.

Each case is an object, the allowlists KSM's test used, the metric names it keeps and the exposition KSM
expects. Here the object is rendered through our resource's families in process (the end-to-end variant, served
by the simulator to the running exporter, lives in the integration tier), the lines KSM's filterMetricNames
would keep are kept, and samples are compared as multisets of (name, labels, value), with an empty label value
counting as absent, as the cases' README prescribes. HELP and TYPE of every family the want names must match.

    python -m tests.kube_store_cases               # every resource; one line per difference
    python -m tests.kube_store_cases pods nodes    # only these
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES = REPO.parent / "shared" / "reference" / "ksm-store-cases"
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def load(resource: str) -> list[dict]:
    return json.loads((CASES / f"{resource}.json").read_text())["cases"]


def resources() -> list[str]:
    return sorted(path.stem for path in CASES.glob("*.json"))


def sample_key(line: str) -> tuple[str, frozenset, float]:
    line = line.strip()
    if "{" in line:
        name, rest = line.split("{", 1)
        body, _, value = rest.rpartition("}")
        labels = frozenset((k, v) for k, v in LABEL.findall(body) if v != "")
    else:
        name, _, value = line.partition(" ")
        labels = frozenset()
    number = float(value.strip().split(" ")[0])
    return name, labels, number


def headers(text: str) -> dict[tuple[str, str], str]:
    """(HELP|TYPE, family) -> text."""
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            _, kind, rest = line.split(" ", 2)
            name, _, value = rest.partition(" ")
            found[(kind, name)] = value
    return found


def kept(text: str, metric_names: list[str] | None) -> Counter:
    samples: Counter = Counter()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if metric_names is not None and not any(name in line for name in metric_names):
            continue
        name, labels, value = sample_key(line)
        samples[(name, labels, "NaN" if math.isnan(value) else value)] += 1
    return samples


def render_case(resource: str, case: dict) -> str:
    """Our exposition for the case's object, with every family (opt-in ones included, as KSM's test has them)."""
    from kube_state_exporter.resources import RESOURCES, Allowlists
    from kube_state_exporter.store import MetricsStore, write

    spec = RESOURCES[resource]
    allow = Allowlists(labels=case["labels_allow"] or None, annotations=case["annotations_allow"] or None)
    generators = spec.families(allow)
    store = MetricsStore(spec, generators)
    store.replace([case["object"]])
    return b"".join(write(generators, [store], False)).decode()


def compare(case: dict, ours: str) -> list[str]:
    """Every difference between KSM's want and our exposition for one case; empty when they agree."""
    names = case["metric_names"]
    want, got = kept(case["want"], names), kept(ours, names)
    problems = []
    for key in sorted(set(want) | set(got), key=str):
        if want[key] != got[key]:
            kind = "missing" if want[key] > got[key] else "extra"
            problems.append(f"{kind} {show(key)}")
    ours_headers = headers(ours)
    for key, value in headers(case["want"]).items():
        if ours_headers.get(key) != value:
            problems.append(f"{key[0]} {key[1]}: want {value!r} got {ours_headers.get(key)!r}")
    return problems


def show(key: tuple) -> str:
    name, labels, value = key
    return f"{name}{{{','.join(f'{k}={v!r}' for k, v in sorted(labels))}}} {value}"


def run(resource: str, case: dict) -> list[str]:
    try:
        return compare(case, render_case(resource, case))
    except Exception as exc:  # a generator that raises is a failed case, reported like any other difference
        return [f"error {type(exc).__name__}: {exc}"]


def main(argv: list[str]) -> int:
    failed = total = 0
    for resource in argv or resources():
        for case in load(resource):
            total += 1
            problems = run(resource, case)
            if problems:
                failed += 1
                print(f"## {resource} {case['name']}")
                for line in problems:
                    print("  " + line)
    print(f"# {total - failed}/{total} cases pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
