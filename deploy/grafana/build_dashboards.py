"""Writes the Grafana dashboards (dashboards/<folder>/<name>.json) from the panel lists below.

One place for the queries: the end-to-end test evaluates every one of them against a real Prometheus, and a
unit test checks the committed JSON is what this script writes. Run: python deploy/grafana/build_dashboards.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}

# folder -> dashboard uid -> (title, [(panel title, unit, [PromQL, ...])])
DASHBOARDS: dict[str, dict[str, tuple[str, list[tuple[str, str, list[str]]]]]] = {
    "Infrastructure": {
        "suite-hosts": ("Hosts", [
            ("CPU utilisation", "percentunit", ["instance:node_cpu_utilisation:rate5m"]),
            ("Memory utilisation", "percentunit", ["instance:node_memory_utilisation:ratio"]),
            ("Load average", "short", ["node_load1", "node_load5", "node_load15"]),
            ("Filesystem space available", "percentunit",
             ['node_filesystem_avail_bytes{fstype!=""} / node_filesystem_size_bytes{fstype!=""}']),
            ("Network traffic", "Bps", ["instance:node_network_receive_bytes:rate5m",
                                        "instance:node_network_transmit_bytes:rate5m"]),
            ("Disk busy", "percentunit", ["rate(node_disk_io_time_seconds_total[5m])"]),
            ("Uptime", "s", ["time() - node_boot_time_seconds"]),
            ("Exporter collectors failing", "short", ["count(node_scrape_collector_success == 0) or vector(0)"]),
        ]),
    },
    "Kubernetes": {
        "suite-cluster": ("Cluster state", [
            ("Pods by phase", "short", ["sum by (phase) (namespace:kube_pod_status_phase:count)"]),
            ("Container restarts in the last hour", "short",
             ["namespace:kube_pod_container_status_restarts:increase1h"]),
            ("Crash-looping containers", "short",
             ['sum by (namespace, pod) (kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"})']),
            ("Deployments: desired vs available", "short",
             ["kube_deployment_spec_replicas", "kube_deployment_status_replicas_available"]),
            ("Ready nodes", "short", ['sum(kube_node_status_condition{condition="Ready",status="true"})']),
            ("ConfigMaps per namespace", "short", ["count by (namespace) (kube_configmap_info)"]),
            ("List/watch errors", "short", ['sum(rate(kube_state_metrics_watch_total{result="error"}[5m])) '
                                            'or vector(0)']),
        ]),
    },
    "Databases": {
        "suite-mysql": ("MySQL", [
            ("Up", "short", ["mysql_up"]),
            ("Queries per second", "qps", ["instance:mysql_queries:rate5m"]),
            ("Connections used", "percentunit", ["instance:mysql_connections:ratio"]),
            ("Threads connected", "short", ["mysql_global_status_threads_connected"]),
            ("Slow queries per second", "qps", ["rate(mysql_global_status_slow_queries[5m])"]),
            ("InnoDB buffer pool pages", "short", ["mysql_global_status_buffer_pool_pages"]),
            ("Top commands", "ops", ["topk(5, rate(mysql_global_status_commands_total[5m]))"]),
        ]),
    },
    "Applications": {
        "suite-app": ("Instrumented app", [
            ("Requests per second by route", "reqps", ["job:http_requests:rate5m"]),
            ("Error ratio (5xx)", "percentunit", ["job:http_requests_errors:ratio_rate5m"]),
            ("Latency p90", "s", ["job:http_request_duration_seconds:p90_5m"]),
            ("Logins by result", "ops", ["sum by (result) (rate(logins_total[5m]))"]),
        ]),
    },
    "Test Environment": {
        "suite-test-env": ("Test environment overview", [
            ("Targets up", "short", ["up"]),
            ("Error ratio (5xx)", "percentunit", ["job:http_requests_errors:ratio_rate5m"]),
            ("Crash-looping containers", "short",
             ['sum(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) or vector(0)']),
        ]),
    },
}


def dashboard(uid: str, title: str, panels: list[tuple[str, str, list[str]]]) -> dict:
    built = []
    for index, (panel_title, unit, queries) in enumerate(panels):
        built.append({
            "id": index + 1,
            "type": "timeseries",
            "title": panel_title,
            "datasource": DATASOURCE,
            "gridPos": {"h": 8, "w": 12, "x": (index % 2) * 12, "y": (index // 2) * 8},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "targets": [{"refId": chr(ord("A") + n), "datasource": DATASOURCE, "expr": query, "range": True}
                        for n, query in enumerate(queries)],
        })
    return {
        "uid": uid, "title": title, "tags": ["exporter-suite"], "timezone": "browser", "schemaVersion": 39,
        "version": 1, "editable": True, "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": []}, "annotations": {"list": []}, "panels": built,
    }


def write_all(root: Path = HERE / "dashboards") -> list[Path]:
    written = []
    for folder, boards in DASHBOARDS.items():
        directory = root / folder
        directory.mkdir(parents=True, exist_ok=True)
        for uid, (title, panels) in boards.items():
            path = directory / f"{uid.removeprefix('suite-')}.json"
            path.write_text(json.dumps(dashboard(uid, title, panels), indent=2) + "\n")
            written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_all():
        print(written_path)
