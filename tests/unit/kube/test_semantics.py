"""Behaviour of the 13 core kube resources that KSM's own store tests do not pin down. Every expected value here was
read off the real kube-state-metrics v2.20.0 binary serving the same object through a list/watch server: quantities,
cron schedules, allowlist wildcards, label conflicts, failure reasons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kube_state_exporter.resources import RESOURCES, Allowlists, cronschedule
from kube_state_exporter.resources.util import GO_ZERO_TIME, allowed, prometheus_label_keys
from kube_state_exporter.store import MetricsStore, write


def scrape(resource: str, *objects: dict, allow: Allowlists | None = None) -> dict[str, list[str]]:
    """Sample lines of each family for these objects (every family, opt-in ones included)."""
    spec = RESOURCES[resource]
    generators = spec.families(allow or Allowlists())
    store = MetricsStore(spec, generators)
    store.replace(list(objects))
    families: dict[str, list[str]] = {}
    for line in b"".join(write(generators, [store], False)).decode().splitlines():
        if line.startswith("# TYPE "):
            families[line.split()[2]] = []
        elif not line.startswith("#"):
            families[next(reversed(families))].append(line)
    return families


def unix(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


# --- quantities ----------------------------------------------------------------------------------------------------

def test_node_milli_quantities_are_exact_and_huge_ones_are_whole():
    node = {"metadata": {"name": "n1", "uid": "u1"}, "status": {
        "allocatable": {"cpu": "1900m", "memory": "1500m", "example.com/foo": "2500m", "pods": "110"},
        "capacity": {"cpu": "1n", "memory": "10P", "kubernetes.io/bar": "2", "nonnative": "5", "hugepages-2Mi": "4Mi"}}}
    lines = scrape("nodes", node)
    assert sorted(lines["kube_node_status_allocatable"]) == [
        'kube_node_status_allocatable{node="n1",resource="cpu",unit="core"} 1.9',
        'kube_node_status_allocatable{node="n1",resource="example_com_foo",unit="integer"} 2.5',
        'kube_node_status_allocatable{node="n1",resource="memory",unit="byte"} 1.5',
        'kube_node_status_allocatable{node="n1",resource="pods",unit="integer"} 110',
    ]
    assert sorted(lines["kube_node_status_capacity"]) == [
        'kube_node_status_capacity{node="n1",resource="cpu",unit="core"} 0.001',
        'kube_node_status_capacity{node="n1",resource="hugepages_2Mi",unit="byte"} 4.194304e+06',
        'kube_node_status_capacity{node="n1",resource="memory",unit="byte"} 1e+16',
    ]


def test_container_quantities_round_up_like_value():
    pod = {"metadata": {"name": "p", "namespace": "n", "uid": "u"}, "spec": {"nodeName": "n1", "containers": [
        {"name": "c", "resources": {"requests": {"cpu": "1900m", "memory": "1500m", "example.com/x": "2500m",
                                                 "pods": "3", "ephemeral-storage": "1.5Gi", "memory-ish": "1"},
                                    "limits": {"memory": "10E"}}}], "overhead": {"cpu": "250m", "memory": "1500m"}}}
    lines = scrape("pods", pod)
    prefix = 'kube_pod_container_resource_requests{namespace="n",pod="p",uid="u",container="c",node="n1",'
    assert sorted(lines["kube_pod_container_resource_requests"]) == [
        prefix + 'resource="cpu",unit="core"} 1.9',
        prefix + 'resource="ephemeral_storage",unit="byte"} 1.610612736e+09',
        prefix + 'resource="example_com_x",unit="integer"} 3',
        prefix + 'resource="memory",unit="byte"} 2',
    ]
    # 10E does not fit Go's int64: KSM reads 0.
    assert lines["kube_pod_container_resource_limits"][0].endswith('resource="memory",unit="byte"} 0')
    assert lines["kube_pod_overhead_cpu_cores"] == ['kube_pod_overhead_cpu_cores{namespace="n",pod="p",uid="u"} 0.25']
    assert lines["kube_pod_overhead_memory_bytes"] == [
        'kube_pod_overhead_memory_bytes{namespace="n",pod="p",uid="u"} 2']


# --- cron schedules ------------------------------------------------------------------------------------------------

LAST = unix("2018-03-11T04:34:56")  # a Sunday


@pytest.mark.parametrize(("schedule", "zone", "expected"), [
    ("0 */6 * * *", "UTC", "2018-03-11T06:00:00"),
    ("0 */6 * * *", "Asia/Shanghai", "2018-03-11T10:00:00"),
    ("CRON_TZ=Asia/Tokyo 0 9 * * *", None, "2018-03-12T00:00:00"),
    ("0 0 13 * 5", "UTC", "2018-04-13T00:00:00"),  # day of month AND day of week
    ("0 0 * * 7", "UTC", "2018-03-18T00:00:00"),  # 7 is Sunday
    ("0 0 * * 5-1", "UTC", "2018-03-12T00:00:00"),  # a range that wraps around
    ("0 0 * jan mon", "UTC", "2019-01-07T00:00:00"),
    ("10/15 * * * *", "UTC", "2018-03-11T04:40:00"),
    ("0 0 29 2 *", "UTC", "2020-02-29T00:00:00"),
    ("@weekly", "UTC", "2018-03-18T00:00:00"),
    ("@every 1h30m10s", "UTC", "2018-03-11T06:05:06"),
    ("30 2 * * *", "America/New_York", "2018-03-11T07:30:00"),  # 02:30 does not exist that night: 03:30 EDT
])
def test_next_schedule_time_matches_ksm(schedule, zone, expected):
    assert cronschedule.parse(schedule, zone).next_after(LAST) == unix(expected)


def test_fall_back_runs_at_the_repeated_wall_time():
    created = unix("2018-11-04T05:34:56")  # 01:34:56 EDT, before the clock falls back
    assert cronschedule.parse("30 1 * * *", "America/New_York").next_after(created) == unix("2018-11-04T06:30:00")


def test_a_schedule_that_never_runs_gives_go_zero_time():
    assert cronschedule.parse("0 0 31 2 *", "UTC").next_after(LAST) == GO_ZERO_TIME


@pytest.mark.parametrize(("schedule", "zone"), [
    ("*/60 * * * *", None), ("5-10/6 * * * *", None), ("0 1 */31 * *", None), ("0 0 1 */12 *", None),
    ("5-70 * * * *", None), ("0 0 L * *", None), ("* * * * * *", None), ("*/0 * * * *", None),
    ("@every xx", None), ("0 */6 * * *", ""), ("0 */6 * * *", "Invalid/Zone"),
    ("CRON_TZ=Asia/Tokyo 0 9 * * *", "UTC"), ("CRON_TZ=Bad/Zone 0 * * * *", None),
])
def test_schedules_ksm_calls_invalid(schedule, zone):
    with pytest.raises(ValueError):
        cronschedule.parse(schedule, zone)


def test_cronjob_families_follow_suspend_and_validity():
    def cronjob(name, **spec):
        return {"metadata": {"name": name, "namespace": "n", "uid": name, "creationTimestamp": "2018-03-09T23:34:56Z"},
                "spec": spec, "status": {"lastScheduleTime": "2018-03-11T04:34:56Z"}}

    lines = scrape("cronjobs", cronjob("ok", schedule="0 */6 * * *", timeZone="UTC", successfulJobsHistoryLimit=0),
                   cronjob("suspended", schedule="0 */6 * * *", suspend=True),
                   cronjob("bad", schedule="*/60 * * * *", suspend=True))
    assert [line.split("{")[1] for line in lines["kube_cronjob_next_schedule_time"]] == ['namespace="n",cronjob="ok"} '
                                                                                       "1.520748e+09"]
    assert lines["kube_cronjob_schedule_invalid"] == ['kube_cronjob_schedule_invalid{namespace="n",cronjob="bad"} 1']
    assert lines["kube_cronjob_spec_successful_job_history_limit"] == [
        'kube_cronjob_spec_successful_job_history_limit{namespace="n",cronjob="ok"} 0']


# --- allowlists and label names ------------------------------------------------------------------------------------

def test_allowlist_wildcards():
    keys = {"app": "", "app.kubernetes.io/name": "", "example.org/foo-bar": "", "example.org/foo": "", "foo-bar": ""}
    assert allowed(["*"], keys) == sorted(keys)
    assert allowed(["app", "*"], keys) == ["app"]  # `*` counts only as the first entry
    assert allowed(["example.org/foo-*"], keys) == ["example.org/foo-bar"]
    assert allowed(["*-bar"], keys) == ["example.org/foo-bar", "foo-bar"]
    assert allowed(["ap*p"], keys) == ["app"]


def test_colliding_keys_all_get_a_conflict_suffix():
    assert prometheus_label_keys(["A", "a-b", "a_b", "teamName"], "label") == [
        "label_a", "label_a_b_conflict1", "label_a_b_conflict2", "label_team_name"]
    # VolumeAttachment's metadata_<key> labels too: fooBar, foo_bar and foo-bar all become metadata_foo_bar_conflictN.
    keys = sorted(["fooBar", "foo_bar", "foo-bar", "a"])
    assert prometheus_label_keys(keys, "metadata") == [
        "metadata_a", "metadata_foo_bar_conflict1", "metadata_foo_bar_conflict2", "metadata_foo_bar_conflict3"]


# --- workload specifics --------------------------------------------------------------------------------------------

def test_job_failed_by_reason():
    def job(name, failed, *conditions):
        return {"metadata": {"name": name, "namespace": "n", "uid": name},
                "status": {"failed": failed, "conditions": list(conditions)}}

    lines = scrape("jobs", job("known", 3, {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}),
                   job("unknown", 2, {"type": "Failed", "status": "True", "reason": "PodFailurePolicy"}),
                   job("none", 0, {"type": "Failed", "status": "True", "reason": "Evicted"}))["kube_job_status_failed"]
    assert sorted(lines) == sorted([
        'kube_job_status_failed{namespace="n",job_name="known",reason="BackoffLimitExceeded"} 1',
        'kube_job_status_failed{namespace="n",job_name="known",reason="DeadlineExceeded"} 0',
        'kube_job_status_failed{namespace="n",job_name="known",reason="Evicted"} 0',
        'kube_job_status_failed{namespace="n",job_name="unknown",reason="BackoffLimitExceeded"} 0',
        'kube_job_status_failed{namespace="n",job_name="unknown",reason="DeadlineExceeded"} 0',
        'kube_job_status_failed{namespace="n",job_name="unknown",reason="Evicted"} 0',
        'kube_job_status_failed{namespace="n",job_name="unknown",reason=""} 2',
        'kube_job_status_failed{namespace="n",job_name="none"} 0',
    ])


def test_deployment_rolling_update_only_as_stated():
    def deployment(name, strategy):
        return {"metadata": {"name": name, "namespace": "n", "uid": name},
                "spec": {"replicas": 7, "strategy": strategy}}

    # No rollingUpdate: nothing (the server's 25% default is not assumed). Recreate with rollingUpdate: KSM still
    # reports it; "5" (a string without %) does not parse.
    recreate = {"type": "Recreate", "rollingUpdate": {"maxSurge": "5", "maxUnavailable": "33%"}}
    lines = scrape("deployments", deployment("defaulted", {}), deployment("recreate", recreate))
    assert lines["kube_deployment_spec_strategy_rollingupdate_max_surge"] == []
    assert lines["kube_deployment_spec_strategy_rollingupdate_max_unavailable"] == [
        'kube_deployment_spec_strategy_rollingupdate_max_unavailable{namespace="n",deployment="recreate"} 2']


def test_pod_status_reason_sources():
    pod = {"metadata": {"name": "p", "namespace": "n", "uid": "u"}, "status": {
        "reason": "Evicted",
        "conditions": [{"type": "PodScheduled", "status": "True", "reason": "SchedulingGated"},
                       {"type": "DisruptionTarget", "status": "False", "reason": "SomethingNew"}],
        "containerStatuses": [{"name": "c", "state": {"terminated": {"reason": "NodeLost"}},
                               "lastState": {"terminated": {"reason": "Shutdown"}}}]}}
    lines = scrape("pods", pod)
    assert sorted(line.split("reason=")[1] for line in lines["kube_pod_status_reason"]) == [
        '"Evicted"} 1', '"NodeLost"} 1', '"SchedulingGated"} 1']
    assert lines["kube_pod_status_disruption_reason"] == [
        'kube_pod_status_disruption_reason{namespace="n",pod="p",uid="u",reason="Other"} 1']


def test_families_ksm_does_not_have_are_gone():
    names = {generator.name for name in ("configmaps", "cronjobs", "jobs", "namespaces", "replicasets", "secrets")
             for generator in RESOURCES[name].families(Allowlists())}
    assert not {name for name in names if name.endswith("_deletion_timestamp")}


CORE = ("configmaps", "cronjobs", "daemonsets", "deployments", "jobs", "namespaces", "nodes", "persistentvolumeclaims",
        "pods", "replicasets", "secrets", "services", "statefulsets")


def test_nodeselectors_is_ksms_only_opt_in_family_here():
    opt_in = {g.name for name in CORE for g in RESOURCES[name].families(Allowlists()) if g.opt_in}
    assert opt_in == {"kube_pod_nodeselectors"}


def test_binary_exa_suffix_is_not_read_as_an_exponent():
    from kube_state_exporter.resources.util import parse_quantity

    assert parse_quantity("1Ei") == 2**60 and parse_quantity("2Ei") == 2**61
    assert parse_quantity("1e3") == parse_quantity("1E3") == 1000 and parse_quantity("1E") == 10**18
