"""The kube-state exporter under churn and faults: watch streams dropped, resource versions expired (410 Gone)
and the API server restarted at random while objects are created, updated and deleted. Afterwards the
exporter's metric set equals what the objects say: nothing lost, nothing stale. And sharding: two shards
together emit exactly the single-instance output, no object twice."""

from __future__ import annotations

import random
import threading
import time

import pytest
import requests

from kube_sim.resources import BY_PATH
from kube_state_exporter.resources import RESOURCES, Allowlists
from kube_state_exporter.store import MetricsStore, write
from testbed.harness import wait_for

pytestmark = pytest.mark.integration

KINDS = {"configmaps": BY_PATH[("", "v1", "configmaps")], "pods": BY_PATH[("", "v1", "pods")],
         "deployments": BY_PATH[("apps", "v1", "deployments")], "services": BY_PATH[("", "v1", "services")]}


def samples(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if line and not line.startswith("#"))


def expected_samples(sim) -> list[str]:
    """What the objects in the simulator say, rendered by the same generators the exporter uses."""
    lines: list[str] = []
    for name, spec in RESOURCES.items():
        resource = next(r for r in sim.store.registry.all() if r.plural == name)
        objects, _ = sim.store.list(resource, None)
        generators = [g for g in spec.families(Allowlists()) if not g.opt_in]  # as the exporter's defaults
        store = MetricsStore(spec, generators)
        store.replace(objects)
        lines.extend(samples(b"".join(write(generators, [store], False)).decode()))
    return sorted(lines)


def scrape(port: int) -> list[str]:
    return samples(requests.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text)


def churn(sim, stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    store = sim.store
    names: dict[str, list[tuple[str, str]]] = {kind: [] for kind in KINDS}
    store.create(BY_PATH[("", "v1", "namespaces")], "", {"metadata": {"name": "churn"}})
    counter = 0
    while not stop.is_set():
        kind = rng.choice(list(KINDS))
        resource = KINDS[kind]
        action = rng.random()
        counter += 1
        try:
            if action < 0.5 or not names[kind]:
                name = f"{kind[:-1]}-{counter}"
                body = {"metadata": {"name": name, "labels": {"n": str(counter)}}}
                if kind == "pods":
                    body["spec"] = {"containers": [{"name": "c", "image": "nginx"}]}
                elif kind == "deployments":
                    body["spec"] = {"replicas": rng.randint(1, 5), "selector": {"matchLabels": {"app": name}},
                                    "template": {"metadata": {"labels": {"app": name}},
                                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
                elif kind == "configmaps":
                    body["data"] = {"v": str(counter)}
                store.create(resource, "churn", body)
                names[kind].append(("churn", name))
            elif action < 0.8:
                namespace, name = rng.choice(names[kind])
                store.mutate(resource, namespace, name,
                             lambda obj, n=counter: obj["metadata"].setdefault("labels", {}).update(touched=str(n)))
            else:
                namespace, name = names[kind].pop(rng.randrange(len(names[kind])))
                store.delete(resource, namespace, name)
        except Exception:  # a mutate racing the kubelet's own update: fine, churn goes on
            pass
        time.sleep(0.002)


def test_final_metrics_equal_objects_after_faults_during_churn(sim_cluster, start_kube_exporter):
    exporter, telemetry_port = start_kube_exporter(sim_cluster.kubeconfig, "--page-size=7")
    stop = threading.Event()
    worker = threading.Thread(target=churn, args=(sim_cluster.sim, stop, 42))
    worker.start()
    rng = random.Random(7)
    faults = {"drop": 0, "expire": 0, "restart": 0}
    deadline = time.monotonic() + 12
    try:
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(0.3, 1.0))
            fault = rng.choice(list(faults))
            faults[fault] += 1
            if fault == "drop":
                sim_cluster.sim.store.end_streams()
            elif fault == "expire":
                sim_cluster.sim.store.compact()
                sim_cluster.sim.store.end_streams()
            else:
                sim_cluster.sim.restart(downtime=rng.uniform(0.1, 0.6))
    finally:
        stop.set()
        worker.join()
    assert all(count > 0 for count in faults.values()), faults
    assert exporter.process.poll() is None

    def converged() -> bool:
        return scrape(exporter.port) == expected_samples(sim_cluster.sim)

    wait_for(converged, timeout=60, interval=0.5, what="exporter metrics equal to the objects")
    churned = [line for line in scrape(exporter.port) if 'namespace="churn"' in line]
    assert len(churned) > 50  # the comparison covered the churned objects
    telemetry = requests.get(f"http://127.0.0.1:{telemetry_port}/metrics", timeout=10).text
    relists = [line for line in telemetry.splitlines()
               if line.startswith('kube_state_metrics_list_total{resource="configmaps",result="success"}')]
    assert float(relists[0].rsplit(" ", 1)[1]) >= 2  # 410s forced at least one relist


def test_two_shards_equal_one_instance(sim_cluster, start_kube_exporter):
    from kube_sim.workload import bulk_pods

    bulk_pods(sim_cluster.sim.store, 200, namespaces=3)
    single, _ = start_kube_exporter(sim_cluster.kubeconfig)
    shard0, _ = start_kube_exporter(sim_cluster.kubeconfig, "--shard=0", "--total-shards=2")
    shard1, _ = start_kube_exporter(sim_cluster.kubeconfig, "--shard=1", "--total-shards=2")
    expected = scrape(single.port)
    first, second = scrape(shard0.port), scrape(shard1.port)
    assert not set(first) & set(second)  # no object twice
    assert sorted(first + second) == expected
    assert len(first) > 100 and len(second) > 100  # both shards got a real share


def test_node_sharding_and_namespace_denylist(sim_cluster, start_kube_exporter):
    from kube_sim.workload import bulk_pods

    bulk_pods(sim_cluster.sim.store, 40, namespaces=2)  # running pods spread over sim-node-1 and sim-node-2
    sim_cluster.sim.store.create(KINDS["pods"], "default", {
        "metadata": {"name": "unscheduled"}, "spec": {"containers": [{"name": "c", "image": "x"}]},
        "status": {"phase": "Pending"}})
    node1, _ = start_kube_exporter(sim_cluster.kubeconfig, "--resources=pods", "--node=sim-node-1")
    node2, _ = start_kube_exporter(sim_cluster.kubeconfig, "--resources=pods", "--node=sim-node-2")
    pending, _ = start_kube_exporter(sim_cluster.kubeconfig, "--resources=pods", "--track-unscheduled-pods")
    everything, _ = start_kube_exporter(sim_cluster.kubeconfig, "--resources=pods")

    def info(port):
        return [line for line in scrape(port) if line.startswith("kube_pod_info{")]

    first, second, unscheduled = info(node1.port), info(node2.port), info(pending.port)
    assert first and second and all('node="sim-node-1"' in line for line in first)
    assert all('node="sim-node-2"' in line for line in second)
    assert len(unscheduled) == 1 and 'pod="unscheduled"' in unscheduled[0]
    assert sorted(first + second + unscheduled) == info(everything.port)  # each pod exactly once

    denied, _ = start_kube_exporter(sim_cluster.kubeconfig, "--resources=configmaps,nodes",
                                    "--namespaces-denylist=kube-system")
    lines = scrape(denied.port)
    assert any('namespace="default"' in line for line in lines if line.startswith("kube_configmap_info"))
    assert not any('namespace="kube-system"' in line for line in lines)
    assert any(line.startswith("kube_node_info") for line in lines)  # cluster-scoped: never filtered


def readyz(port: int) -> int:
    try:
        return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code
    except requests.ConnectionError:
        return 0


def test_one_hostile_pod_never_stops_the_pod_watch(tmp_path):
    """Issue 26: a pod with every optional status field null, and one with a field of the wrong type, are
    served (or left out and counted) while later pods and updates still arrive; /readyz follows progress."""
    from kube_sim.server import Simulator
    from kube_sim.workload import seed_cluster, write_kubeconfig
    from testbed.kube import counter_sum, start_ours

    sim = Simulator(bookmark_interval=0.5)
    seed_cluster(sim.store)
    sim.start()
    try:
        pods = KINDS["pods"]
        known = {"metadata": {"name": "known"}, "spec": {"containers": [{"name": "c", "image": "x"}]},
                 "status": {"phase": "Running", "containerStatuses": [
                     {"name": "c", "restartCount": 7, "ready": True, "image": "x", "imageID": "x"}]}}
        sim.store.create(pods, "default", known)
        exporter = start_ours(write_kubeconfig(tmp_path / "kubeconfig.yaml", sim.url), tmp_path, "--resources=pods")
        nulls = requests.post(f"{sim.url}/api/v1/namespaces/default/pods", timeout=10, json={
            "metadata": {"name": "n"}, "spec": {"containers": [{"name": "c", "image": "x"}]},
            "status": {"phase": "Running", "containerStatuses": None, "conditions": None, "startTime": None,
                       "podIP": None, "hostIP": None, "qosClass": None}})
        assert nulls.status_code == 201, nulls.text
        sim.store.load(pods, {  # a wrong type no real server would store (load skips validation): left out, counted
            "metadata": {"name": "wrong", "namespace": "default", "uid": "wrong-uid", "resourceVersion": "1"},
            "spec": {"containers": [{"name": "c", "image": "x"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "c", "restartCount": {"many": 1}}]}})
        sim.store.mutate(pods, "default", "known",
                         lambda pod: pod["status"]["containerStatuses"][0].update(restartCount=8))
        sim.store.create(pods, "default", {"metadata": {"name": "later"},
                                           "spec": {"containers": [{"name": "c", "image": "x"}]}})

        def served() -> bool:
            text = exporter.metrics()
            return ('kube_pod_container_status_restarts_total{namespace="default",pod="known"' in text
                    and counter_sum(text, "kube_pod_container_status_restarts_total", pod="known") == 8
                    and 'kube_pod_info{namespace="default",pod="later"' in text)

        wait_for(served, timeout=30, what="the update and the later pod served")
        text = exporter.metrics()
        assert counter_sum(text, "kube_pod_status_phase", pod="n", phase="Running") == 1
        assert 'kube_pod_info{namespace="default",pod="wrong"' in text  # served with what could be rendered
        assert counter_sum(text, "kube_pod_container_status_restarts_total", pod="wrong") == 0
        telemetry = exporter.telemetry()
        assert counter_sum(telemetry, "kube_state_metrics_render_errors_total", resource="pods") >= 1
        assert readyz(exporter.port) == 200

        # A relist (410 Gone: the history compacted past the version the exporter holds) renders the bad pod
        # again: counted again, not logged again within the minute.
        sim.store.create(KINDS["configmaps"], "default", {"metadata": {"name": "bump"}})
        sim.store.compact()
        sim.store.end_streams()
        wait_for(lambda: counter_sum(exporter.telemetry(), "kube_state_metrics_list_total", resource="pods",
                                     result="success") >= 2, timeout=30, what="a relist")
        with open(exporter.daemon.log_path, encoding="utf-8") as handle:
            log = handle.read()
        assert log.count("object could not be rendered") == 1, log
        assert "Traceback" not in log

        sim.stop()  # the API server away: nothing can make progress, so not ready
        wait_for(lambda: readyz(exporter.port) == 503, timeout=30, what="/readyz 503 while the watch fails")
        sim.start()
        wait_for(lambda: readyz(exporter.port) == 200, timeout=60, what="/readyz 200 once it recovers")
    finally:
        sim.stop()
