"""The seed scenario end to end: an empty `default` namespace has no restart series; after
`kubectl run busy-box-crash --image=busybox -- /bin/sh -c "exit 1"` the series appears and climbs; the
kube-system configmaps' creation times are listed. Checked with PromQL through a real Prometheus."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import requests

from testbed.harness import wait_for
from tests.conftest import IN_CI
from tests.prometheus import query, running_prometheus, wait_for_series

pytestmark = pytest.mark.e2e


def kubectl(kubeconfig, *args: str) -> str:
    binary = shutil.which("kubectl")
    if binary is None:
        if IN_CI:
            pytest.fail("kubectl is not installed")
        pytest.skip("kubectl is not installed")
    result = subprocess.run([binary, f"--kubeconfig={kubeconfig}", *args], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "HOME": str(kubeconfig.parent)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_crash_looping_pod_restarts_climb_in_prometheus(tmp_path, sim_cluster, start_kube_exporter):
    exporter, _ = start_kube_exporter(sim_cluster.kubeconfig)
    scrape = [{"job_name": "kube-state", "static_configs": [{"targets": [f"127.0.0.1:{exporter.port}"]}]}]
    with running_prometheus(tmp_path, scrape) as prometheus:
        wait_for_series(prometheus, 'up{job="kube-state"} == 1')
        configmaps = wait_for_series(prometheus, 'kube_configmap_created{namespace="kube-system"}')
        assert {s["metric"]["configmap"] for s in configmaps} == {"coredns", "kube-proxy", "kube-root-ca.crt",
                                                                  "kubeadm-config"}
        assert all(float(s["value"][1]) > 1.7e9 for s in configmaps)  # real creation times
        assert query(prometheus, 'kube_pod_container_status_restarts_total{namespace="default"}') == []

        kubectl(sim_cluster.kubeconfig, "run", "busy-box-crash", "--image=busybox", "--", "/bin/sh", "-c", "exit 1")
        first = wait_for_series(prometheus, 'kube_pod_container_status_restarts_total{namespace="default",'
                                            'pod="busy-box-crash"} > 0')
        before = float(first[0]["value"][1])
        wait_for(lambda: float(query(prometheus, 'kube_pod_container_status_restarts_total{namespace="default",'
                                                 'pod="busy-box-crash"}')[0]["value"][1]) > before,
                 timeout=60, interval=0.5, what="restart count climbing")
        wait_for_series(prometheus, 'kube_pod_container_status_waiting_reason{namespace="default",'
                                    'pod="busy-box-crash",reason="CrashLoopBackOff"} == 1')
        climbing = wait_for_series(prometheus, 'increase(kube_pod_container_status_restarts_total'
                                               '{pod="busy-box-crash"}[1m]) > 0')
        assert climbing[0]["metric"]["container"] == "busy-box-crash"
        listed = kubectl(sim_cluster.kubeconfig, "get", "pod", "busy-box-crash", "--no-headers").split()
        assert listed[0] == "busy-box-crash" and int(listed[3]) >= 2  # kubectl sees the climbing restarts too

        kubectl(sim_cluster.kubeconfig, "delete", "pod", "busy-box-crash")
        wait_for(lambda: not query(prometheus, 'kube_pod_info{pod="busy-box-crash"}'), timeout=30, interval=0.5,
                 what="deleted pod gone from the metrics")


def test_kubectl_apply_get_delete_round_trip(tmp_path, sim_cluster, start_kube_exporter):
    import requests

    exporter, _ = start_kube_exporter(sim_cluster.kubeconfig)
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\n  namespace: default\n"
                        "  labels:\n    team: checkout\ndata:\n  mode: blue\n")
    assert "created" in kubectl(sim_cluster.kubeconfig, "apply", "--validate=false", "-f", str(manifest))
    manifest.write_text(manifest.read_text().replace("blue", "green"))
    assert "configured" in kubectl(sim_cluster.kubeconfig, "apply", "--validate=false", "-f", str(manifest))
    assert kubectl(sim_cluster.kubeconfig, "get", "configmap", "app-settings", "-o", "jsonpath={.data.mode}") == "green"

    def series() -> str:
        return requests.get(f"http://127.0.0.1:{exporter.port}/metrics", params={"resources": "configmaps"},
                            timeout=10).text

    wait_for(lambda: 'kube_configmap_info{namespace="default",configmap="app-settings"} 1' in series(),
             what="applied configmap in the metrics")
    kubectl(sim_cluster.kubeconfig, "delete", "-f", str(manifest))
    wait_for(lambda: "app-settings" not in series(), what="deleted configmap gone")


def test_every_default_resource_reaches_prometheus_and_new_objects_arrive_by_watch(tmp_path, start_kube_exporter):
    """A realistic mix of every resource KSM serves by default, listed and watched by our exporter, scraped by a
    real Prometheus: each resource's families are queryable; an HPA created afterwards arrives through the watch."""
    from kube_sim.mix import mix
    from kube_sim.server import Simulator
    from kube_sim.workload import seed_cluster, write_kubeconfig
    from kube_state_exporter.resources import DEFAULT_RESOURCES, RESOURCES, Allowlists

    sim = Simulator(bookmark_interval=1.0)
    seed_cluster(sim.store)
    mix(sim.store, 60)  # six workloads: every fifth is a statefulset
    sim.start()
    try:
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig.yaml", sim.url)
        exporter, _ = start_kube_exporter(kubeconfig)
        scrape = [{"job_name": "kube-state", "static_configs": [{"targets": [f"127.0.0.1:{exporter.port}"]}]}]
        with running_prometheus(tmp_path, scrape) as prometheus:
            wait_for_series(prometheus, 'up{job="kube-state"} == 1')
            for resource in DEFAULT_RESOURCES:
                names = "|".join(g.name for g in RESOURCES[resource].families(Allowlists()) if not g.opt_in)
                series = wait_for_series(prometheus, f'count by (__name__) ({{__name__=~"{names}"}})')
                assert series, resource
            hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                   "metadata": {"name": "late-hpa", "namespace": "default"},
                   "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                            "minReplicas": 2, "maxReplicas": 7}}
            requests.post(f"{sim.url}/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers", json=hpa,
                          timeout=10).raise_for_status()
            late = wait_for_series(prometheus, 'kube_horizontalpodautoscaler_spec_max_replicas'
                                               '{horizontalpodautoscaler="late-hpa"} == 7')
            assert late[0]["metric"]["namespace"] == "default"
    finally:
        sim.stop()
