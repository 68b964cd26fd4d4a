"""Test Environment, for QA: is the test environment up, healthy and quiet before and during a run?"""

from __future__ import annotations

from .kubernetes import NAMESPACE_LINK
from .model import (
    ERROR_BUDGET,
    LATENCY_OBJECTIVE_SECONDS,
    RUNBOOK_LINK,
    UP_MAPPING,
    UP_THRESHOLDS,
    Dashboard,
    Link,
    Panel,
    Row,
    Variable,
    drill,
    q,
    red_from,
)

TEST_ENV = Dashboard(
    "suite-test-env", "Test Environment", "Test environment health",
    "For QA: is the test environment up, healthy and quiet before and during a test run?",
    (Variable("job", "Job", "label_values(up, job)", include_all=True),),
    (
        Row("Is it up?", (
            Panel("stat", "Targets down", "short", (q('count(up{job=~"$job"} == 0) or vector(0)'),), width=4,
                  height=5, thresholds=red_from(1)),
            Panel("table", "Targets", "short", (q('max by (job, instance) (up{job=~"$job"})', "Up"),), width=10,
                  height=5, mappings=UP_MAPPING, thresholds=UP_THRESHOLDS, coloured_columns=("Up",),
                  column_sort=("Up", False), column_order=("Up", "job", "instance")),
            Panel("table", "Alerts", "dateTimeFromNow",
                  (q("max by (alertname, severity, alertstate) (ALERTS) * on (alertname, severity) group_left () "
                     "min by (alertname, severity) (ALERTS_FOR_STATE) * 1000", "Since"),),
                  "Pending and firing alerts, since when; click an alert for its runbook.", width=10, height=5,
                  no_value="No alert pending or firing", column_sort=("Since", False),
                  column_links=(("alertname", "Runbook", RUNBOOK_LINK),)),
        )),
        Row("Apps under test", (
            Panel("timeseries", "5xx ratio", "percentunit",
                  (q('(sum by (job) (rate(http_requests_total{status=~"5.."}[$__rate_interval])) '
                     "or sum by (job) (rate(http_requests_total[$__rate_interval])) * 0) "
                     "/ sum by (job) (rate(http_requests_total[$__rate_interval]))", "{{job}}"),),
                  "Share of each app's requests answered 5xx (0 without any); the line is the 0.5% objective.",
                  width=8, thresholds=red_from(ERROR_BUDGET), threshold_lines=True, soft_max=2 * ERROR_BUDGET,
                  links=(("Instrumented app", drill("suite-app", "app", job="${__field.labels.job}")),)),
            Panel("timeseries", "Latency p90", "s", (q("job:http_request_duration_seconds:p90_5m", "{{job}}"),),
                  "The line is the objective: 250 ms.", width=8, thresholds=red_from(LATENCY_OBJECTIVE_SECONDS),
                  threshold_lines=True, soft_max=1.2 * LATENCY_OBJECTIVE_SECONDS, decimals=1),
            Panel("timeseries", "Requests by route", "reqps", (q("job:http_requests:rate5m", "{{job}} {{route}}"),),
                  "Stacked: the top is the total.", width=8, stacked=True),
        )),
        Row("Kubernetes test workload", (
            Panel("stat", "Containers crash-looping", "short",
                  (q('sum(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) or vector(0)'),),
                  width=6, thresholds=red_from(1)),
            Panel("timeseries", "Container restarts (1 h) by namespace", "short",
                  (q("round(namespace:kube_pod_container_status_restarts:increase1h)", "{{namespace}}"),), width=9,
                  decimals=0, links=NAMESPACE_LINK),
            Panel("timeseries", "Unavailable replicas", "short",
                  (q("kube_deployment_status_replicas_unavailable", "{{namespace}}/{{deployment}}"),), width=9,
                  decimals=0),
        )),
        Row("Database under test", (
            Panel("stat", "MySQL up", "short", (q("mysql_up", "{{instance}}"),), width=6, mappings=UP_MAPPING,
                  thresholds=UP_THRESHOLDS),
            Panel("timeseries", "Queries per second", "qps", (q("instance:mysql_queries:rate5m", "{{instance}}"),),
                  width=9),
            Panel("timeseries", "Slow queries", "ops",
                  (q("rate(mysql_global_status_slow_queries[$__rate_interval])", "{{instance}}"),), width=9),
        )),
    ),
    links=(Link("Instrumented app", "suite-app"), Link("Cluster", "suite-cluster"), Link("MySQL", "suite-mysql")),
)
