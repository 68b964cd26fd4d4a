"""The sharded layout end to end (`python -m localstack --sharded`): two Debian Prometheus shards and Debian's
victoria-metrics on loopback, with the node, MySQL and kube-state exporters, MariaDB and the Kubernetes simulator.
Each target is scraped by exactly one shard, the one Prometheus' hashmod of its address names; the central store
holds every shard's series, the crash-looping pod's restarts among them; the crash-loop alert is evaluated by the
shard holding kube-state and reaches Alertmanager."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlparse

import pytest
import requests

from localstack.sharded import ShardedStack
from testbed.harness import Daemon, wait_for
from tests.conftest import require_binary
from tests.prometheus import query

pytestmark = pytest.mark.e2e

PIECES = frozenset({"node", "mysql", "kubernetes"})
ALERT = "KubePodCrashLooping"
RESTARTS = 'kube_pod_container_status_restarts_total{pod="busy-box-crash"}'


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    for name in ("prometheus", "prometheus-alertmanager", "victoria-metrics", "mariadbd"):
        require_binary(name)
    local = ShardedStack(tmp_path_factory.mktemp("sharded-stack"), free_ports=True, backoff_base=1.0, pieces=PIECES,
                         prometheus_global={"scrape_interval": "1s", "scrape_timeout": "1s",
                                            "evaluation_interval": "1s"})
    local.start()
    yield local
    local.stop()


def api(daemon: Daemon, path: str) -> dict:
    response = requests.get(f"http://127.0.0.1:{daemon.port}/api/v1/{path}", timeout=10)
    response.raise_for_status()
    return response.json()["data"]


def scraped_up(stack) -> list[dict[str, str]]:
    """Per shard: address -> job of its active targets, once every target of every shard is up."""
    per_shard = [{urlparse(t["scrapeUrl"]).netloc: t["labels"]["job"] for t in api(shard, "targets")["activeTargets"]
                  if t["health"] == "up"} for shard in stack.prometheus]
    active = [len(api(shard, "targets")["activeTargets"]) for shard in stack.prometheus]
    return per_shard if [len(s) for s in per_shard] == active and sum(active) == len(stack.jobs) else []


def counts_by_job(daemon: Daemon, expr: str = "count by (job) (up)") -> Counter:
    return Counter({s["metric"]["job"]: int(float(s["value"][1])) for s in query(daemon, expr)})


def test_each_target_is_scraped_by_exactly_the_shard_its_address_hashes_to(stack):
    per_shard = wait_for(lambda: scraped_up(stack), timeout=60, interval=0.5, what="every target up on its shard")
    addresses = [address for shard in per_shard for address in shard]
    assert len(addresses) == len(set(addresses)), "a target is scraped by two shards"
    assert {job for shard in per_shard for job in shard.values()} == set(stack.jobs) >= {"node", "mysql",
                                                                                        "kube-state"}
    assert all(per_shard), f"a shard scrapes nothing: {per_shard}"
    # Prometheus' hashmod decided, and it agrees with ours (localstack.sharded.hashmod).
    assert {address: index for index, shard in enumerate(per_shard) for address in shard} == stack.expected_shards()
    for index, daemon in enumerate(stack.prometheus):
        dropped = {t["discoveredLabels"]["__address__"] for t in api(daemon, "targets")["droppedTargets"]}
        others = {address for other, shard in enumerate(per_shard) if other != index for address in shard}
        assert dropped == others, f"shard {index} drops {dropped}, the other shards scrape {others}"
    # A shard holds only its own targets' series.
    kube_shard = stack.expected_shards()[stack.target("kube-state")]
    for index, daemon in enumerate(stack.prometheus):
        assert bool(query(daemon, "kube_pod_info")) == (index == kube_shard)


def test_the_central_store_holds_every_shards_series(stack):
    wait_for(lambda: scraped_up(stack), timeout=60, interval=0.5, what="every target up on its shard")

    def agree() -> tuple[Counter, Counter] | None:
        shards = sum((counts_by_job(daemon) for daemon in stack.prometheus), Counter())
        central = counts_by_job(stack.victoria_metrics)
        return (central, shards) if central == shards and set(central) == set(stack.jobs) else None

    central, shards = wait_for(agree, timeout=60, interval=1, what="count by (job) (up) on VictoriaMetrics equal to "
                                                                   "the sum over the shards")
    assert central == shards and sum(central.values()) == len(stack.jobs)
    # Each series carries the shard that wrote it, and no replica label (dropped on remote write).
    by_shard = {s["metric"]["job"]: s["metric"]["shard"] for s in query(stack.victoria_metrics, "up")}
    assert by_shard == {job: str(stack.expected_shards()[stack.target(job)]) for job in stack.jobs}
    assert query(stack.victoria_metrics, 'up{replica!=""}') == []


def test_the_crash_looping_pods_restarts_reach_the_central_store(stack):
    series = wait_for(lambda: query(stack.victoria_metrics, f"{RESTARTS} > 0"), timeout=90, interval=1,
                      what="the busy-box-crash restarts in VictoriaMetrics")
    (restarts,) = series
    assert restarts["metric"]["namespace"] == "default" and restarts["metric"]["container"] == "busy-box-crash"
    assert restarts["metric"]["shard"] == str(stack.expected_shards()[stack.target("kube-state")])
    before = float(restarts["value"][1])
    wait_for(lambda: float(query(stack.victoria_metrics, RESTARTS)[0]["value"][1]) > before, timeout=90, interval=1,
             what="the restart count climbing in VictoriaMetrics")


def test_alerts_are_evaluated_next_to_the_data(stack):
    """Every shard loads the rules and knows the Alertmanager; the crash-loop alert is evaluated by the shard that
    scrapes kube-state, only there, and reaches Alertmanager without the shard and replica labels."""
    alertmanager = f"http://127.0.0.1:{stack.ports['alertmanager']}/api/v2/alerts"
    for daemon in stack.prometheus:
        assert api(daemon, "rules")["groups"], f"{daemon.name} has no rules"
        wait_for(lambda daemon=daemon: [a["url"] for a in api(daemon, "alertmanagers")["activeAlertmanagers"]
                                        if a["url"] == alertmanager], timeout=30, interval=0.5,
                 what=f"{daemon.name} sending to the Alertmanager")
    kube_shard = stack.expected_shards()[stack.target("kube-state")]

    def crash_alerts(daemon: Daemon) -> list[dict]:
        return [a for a in api(daemon, "alerts")["alerts"]
                if a["labels"]["alertname"] == ALERT and a["labels"].get("pod") == "busy-box-crash"]

    wait_for(lambda: crash_alerts(stack.prometheus[kube_shard]), timeout=90, interval=1,
             what=f"{ALERT} pending or firing on shard {kube_shard}")
    received = wait_for(lambda: [a for a in requests.get(alertmanager, timeout=10).json()
                                 if a["labels"]["alertname"] == ALERT], timeout=120, interval=1,
                        what=f"{ALERT} received by Alertmanager")
    assert all(not {"shard", "replica"} & set(a["labels"]) for a in received), received
    for index, daemon in enumerate(stack.prometheus):
        if index != kube_shard:
            assert crash_alerts(daemon) == [], f"shard {index} has no kube-state series, yet alerts on them"


def test_the_capacity_benchmark_measures_what_the_shards_ingest(tmp_path):
    """benchmarks/sharded_bench.py on a small load: every synthetic series lands on one shard, and what the shards
    append per second reaches VictoriaMetrics."""
    from benchmarks.sharded_bench import FAMILIES, run

    for name in ("prometheus", "victoria-metrics"):
        require_binary(name)
    targets, series = 20, 10 * FAMILIES
    result = run(targets, series, interval=1, shards=2, duration=5, workdir=tmp_path)
    # Prometheus adds 5 series per target (up, scrape_duration_seconds, ...).
    assert sum(shard["series"] for shard in result["shard"]) == targets * (series + 5)
    assert all(shard["series"] and shard["rss_mb"] > 0 for shard in result["shard"])
    appended = sum(shard["samples_per_s"] for shard in result["shard"])
    assert appended == pytest.approx(targets * (series + 5), rel=0.25)
    assert result["victoria_metrics"]["rows_per_s"] == pytest.approx(appended, rel=0.3)
