"""kube-state-metrics' own store cases through the real wire: each case's object is served by the API simulator
exactly as the case holds it, our exporter runs as a process with `--resources=<plural>`, the case's allowlists
and every opt-in family of the resource named in `--metric-opt-in-list` (KSM's tests build every family), and
its /metrics is compared with KSM's want by tests/kube_store_cases.compare.

One exporter per (resource, allowlists); between cases the previous object is deleted and the next one loaded,
and the exporter's own watch-event counter says when it has seen both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kube_sim.resources import BY_PATH
from kube_sim.server import Simulator
from kube_sim.workload import write_kubeconfig
from testbed.harness import wait_for
from testbed.kube import KubeExporter, counter_sum, start_ours
from tests import kube_store_cases
from tests.conftest import require_shared

pytestmark = pytest.mark.integration


def _cases() -> list[tuple[str, dict]]:
    if not kube_store_cases.CASES.is_dir():
        return []
    found = []
    for resource in kube_store_cases.resources():
        cases = kube_store_cases.load(resource)
        cases.sort(key=lambda c: (json.dumps(c["labels_allow"]), json.dumps(c["annotations_allow"])))
        found.extend((resource, case) for case in cases)
    return found


CASES = _cases()


def _sim_resource(plural: str, api_path: str):
    parts = api_path.strip("/").split("/")
    group, version = ("", parts[1]) if parts[0] == "api" else (parts[1], parts[2])
    return BY_PATH[(group, version, plural)]


class Runner:
    """The simulator for the module, and the exporter of the (resource, allowlists) group being run."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.sim = Simulator(bookmark_interval=0.5).start()
        self.kubeconfig = write_kubeconfig(workdir / "kubeconfig.yaml", self.sim.url)
        self.group: tuple | None = None
        self.exporter: KubeExporter | None = None
        self.events = 0  # watch events the exporter must have applied for the resource

    def exporter_for(self, resource: str, case: dict) -> KubeExporter:
        from kube_state_exporter.resources import RESOURCES, Allowlists

        group = (resource, json.dumps(case["labels_allow"]), json.dumps(case["annotations_allow"]))
        if group == self.group and self.exporter is not None:
            return self.exporter
        self.close_exporter()
        if resource not in RESOURCES:
            pytest.fail(f"not implemented: resource {resource!r} has no module in kube_state_exporter/resources")
        self.clear(_sim_resource(resource, case["api_path"]))
        args = [f"--resources={resource}"]
        if case["labels_allow"]:
            args.append(f"--metric-labels-allowlist={resource}=[{','.join(case['labels_allow'])}]")
        if case["annotations_allow"]:
            args.append(f"--metric-annotations-allowlist={resource}=[{','.join(case['annotations_allow'])}]")
        opt_in = sorted(g.name for g in RESOURCES[resource].families(Allowlists()) if g.opt_in)
        if opt_in:
            args.append(f"--metric-opt-in-list={','.join(opt_in)}")
        self.exporter = start_ours(self.kubeconfig, self.workdir, *args)
        self.group, self.events = group, 0
        return self.exporter

    def clear(self, sim_resource) -> int:
        objects, _ = self.sim.store.list(sim_resource, None)
        for obj in objects:
            self.sim.store.delete(sim_resource, obj["metadata"].get("namespace", ""), obj["metadata"].get("name", ""))
        return len(objects)

    def serve(self, resource: str, case: dict) -> str:
        """Serve the case's object alone and return the exporter's exposition once it has seen it."""
        exporter = self.exporter_for(resource, case)
        sim_resource = _sim_resource(resource, case["api_path"])
        self.events += self.clear(sim_resource)
        self.sim.store.load(sim_resource, case["object"])
        self.events += 1

        def applied() -> bool:
            return counter_sum(exporter.telemetry(), "kube_state_metrics_watch_events_total",
                               resource=resource) >= self.events

        wait_for(applied, timeout=30, interval=0.05, what=f"{resource} watch events applied")
        return exporter.metrics()

    def close_exporter(self) -> None:
        if self.exporter is not None:
            self.exporter.stop()
        self.exporter, self.group = None, None

    def close(self) -> None:
        self.close_exporter()
        self.sim.stop()


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    runner = Runner(tmp_path_factory.mktemp("kube-store-cases"))
    yield runner
    runner.close()


def test_store_cases_are_there():
    """Without ../shared the cases below have nothing to run: this one skips, or fails under CI=true."""
    require_shared(kube_store_cases.CASES)
    assert len(CASES) >= 250


@pytest.mark.parametrize(("resource", "case"), CASES, ids=[f"{r}:{c['name']}" for r, c in CASES])
def test_store_case_through_the_wire(runner, resource, case):
    ours = runner.serve(resource, case)
    problems = kube_store_cases.compare(case, ours)
    assert not problems, "\n".join(problems)
