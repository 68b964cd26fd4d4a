"""A real Prometheus scrapes our node exporter; PromQL over what it stored returns what dashboards need."""

from __future__ import annotations

import os

import pytest

from tests.prometheus import query, running_prometheus, targets, wait_for_series

pytestmark = pytest.mark.e2e
EVERY_LINUX_HOST = {"conntrack", "cpu", "diskstats", "entropy", "filefd", "filesystem", "loadavg", "meminfo",
                    "netclass", "netdev", "netstat", "os", "sockstat", "stat", "time", "uname", "vmstat"}


def test_prometheus_scrapes_node_exporter_and_promql_works(tmp_path, start_node_exporter):
    exporter = start_node_exporter()
    scrape = [{"job_name": "node", "static_configs": [{"targets": [f"127.0.0.1:{exporter.port}"]}]}]
    with running_prometheus(tmp_path, scrape) as prometheus:
        load = wait_for_series(prometheus, 'node_load1{job="node"}')
        assert float(load[0]["value"][1]) >= 0
        rates = wait_for_series(prometheus, 'rate(node_cpu_seconds_total{mode="idle"}[1m])')
        assert {series["metric"]["cpu"] for series in rates} == {str(i) for i in range(os.cpu_count())}
        assert all(0 <= float(series["value"][1]) <= 1.5 for series in rates)
        (target,) = targets(prometheus)
        assert target["health"] == "up", target
        assert query(prometheus, 'up{job="node"}')[0]["value"][1] == "1"
        # Collectors whose hardware or kernel feature this host lacks report 0, as Go's do (the conformance test
        # requires the same success as Go's per collector); the ones every Linux host supports never fail.
        failed = {s["metric"]["collector"] for s in query(prometheus, "node_scrape_collector_success == 0")}
        succeeded = {s["metric"]["collector"] for s in query(prometheus, "node_scrape_collector_success == 1")}
        assert not failed & EVERY_LINUX_HOST, failed
        assert succeeded >= EVERY_LINUX_HOST
        # The expression of the classic "filesystem filling up" alert evaluates over our series.
        assert query(prometheus, 'node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes'
                                 '{mountpoint="/"}')
