"""Overview, for management: is everything up, what is alerting, do the apps meet their objectives, how
much capacity is left."""

from __future__ import annotations

from .model import (
    ERROR_BUDGET,
    LATENCY_OBJECTIVE_RATIO,
    LATENCY_OBJECTIVE_SECONDS,
    REAL_FS,
    SLOW_BUDGET,
    SUCCESS_OBJECTIVE,
    Dashboard,
    Link,
    Panel,
    Row,
    Variable,
    drill,
    q,
    red_below,
    red_from,
)

APP_ERRORS = 'sum(rate(http_requests_total{job=~"$app",status=~"5.."}[$__rate_interval]))'
APP_REQUESTS = 'sum(rate(http_requests_total{job=~"$app"}[$__rate_interval]))'
APP_ERRORS_RANGE = 'sum(increase(http_requests_total{job=~"$app",status=~"5.."}[$__range]))'
APP_REQUESTS_RANGE = 'sum(increase(http_requests_total{job=~"$app"}[$__range]))'
APP_FAST_RANGE = (f'sum(increase(http_request_duration_seconds_bucket{{job=~"$app",le="{LATENCY_OBJECTIVE_SECONDS}"}}'
                  '[$__range]))')
APP_COUNT_RANGE = 'sum(increase(http_request_duration_seconds_count{job=~"$app"}[$__range]))'

OVERVIEW = Dashboard(
    "suite-overview", "Overview", "Service overview",  # Grafana refuses a dashboard titled like its folder
    "For management: is everything up, what is alerting, do the apps meet their objectives "
    "(99.5% of requests succeed, 90% within 250 ms), and how much capacity is left.",
    (Variable("app", "Application", "label_values(http_requests_total, job)", include_all=True),),
    (
        Row("Availability", (
            Panel("stat", "Monitored targets up", "percentunit",
                  (q("sum(up) / count(up)"),), "Share of every scrape target answering now.", width=6, height=5,
                  thresholds=red_below(0.95, 1), minimum=0, maximum=1,
                  links=(("Exporters' health", drill("suite-exporters", "exporters")),)),
            Panel("stat", "Availability over the period by job", "percentunit",
                  (q("avg by (job) (avg_over_time(up[$__range]))", "{{job}}"),),
                  "Share of scrapes that succeeded over the selected time range.", width=12, height=5,
                  thresholds=red_below(0.99, 0.999), minimum=0, maximum=1,
                  links=(("Hosts", drill("suite-hosts", "hosts")),)),
            Panel("stat", "Hosts", "short", (q('count(up{job="node"} == 1)', "up"),
                                             q('count(up{job="node"} == 0) or vector(0)', "down")),
                  "Hosts whose node exporter answers (drill down to each host).", width=6, height=5,
                  links=(("Hosts", drill("suite-hosts", "hosts")),)),
        )),
        Row("Alerts", (
            Panel("stat", "Firing alerts by severity", "short",
                  (q('count(ALERTS{alertstate="firing",severity="critical"}) or vector(0)', "critical"),
                   q('count(ALERTS{alertstate="firing",severity="warning"}) or vector(0)', "warning")),
                  "Alerts firing now, from Prometheus' ALERTS series.", width=8, height=6,
                  thresholds=red_from(1)),
            Panel("table", "Firing alerts", "short",
                  (q('sum by (alertname, severity, team, namespace) (ALERTS{alertstate="firing"})'),),
                  "What is firing now and which team it is routed to.", width=16, height=6),
            Panel("timeseries", "Firing alerts over time", "short",
                  (q('count by (severity) (ALERTS{alertstate="firing"})', "{{severity}}"),),
                  width=24, height=6, stacked=True),
        )),
        Row("Applications against their objectives", (
            Panel("stat", "Requests succeeding over the period", "percentunit",
                  (q(f"1 - ({APP_ERRORS_RANGE} or vector(0)) / {APP_REQUESTS_RANGE}"),),
                  "Objective: 99.5% of requests answer without a 5xx.", width=6, height=6,
                  thresholds=red_below(SUCCESS_OBJECTIVE, 0.999), minimum=0.9, maximum=1,
                  links=(("Instrumented app", drill("suite-app", "app")),)),
            Panel("gauge", "Error budget left (99.5% objective)", "percentunit",
                  (q(f"1 - (({APP_ERRORS_RANGE} or vector(0)) / {APP_REQUESTS_RANGE}) / {ERROR_BUDGET}"),),
                  "Share of the allowed 0.5% of failing requests not yet used over the period; below 0 the "
                  "objective is missed.", width=6, height=6, thresholds=red_below(0, 0.25), minimum=-1, maximum=1),
            Panel("stat", "Requests within 250 ms over the period", "percentunit",
                  (q(f"{APP_FAST_RANGE} / {APP_COUNT_RANGE}"),),
                  "Objective: p90 under 250 ms, i.e. 90% of requests within 250 ms.", width=6, height=6,
                  thresholds=red_below(LATENCY_OBJECTIVE_RATIO, 0.95), minimum=0.5, maximum=1),
            Panel("gauge", "Latency budget left (p90 < 250 ms)", "percentunit",
                  (q(f"1 - (1 - {APP_FAST_RANGE} / {APP_COUNT_RANGE}) / {SLOW_BUDGET}"),),
                  "Share of the allowed 10% of requests slower than 250 ms not yet used over the period.",
                  width=6, height=6, thresholds=red_below(0, 0.25), minimum=-1, maximum=1),
            Panel("timeseries", "Error ratio against the objective", "percentunit",
                  (q(f"{APP_ERRORS} / {APP_REQUESTS} or {APP_REQUESTS} * 0", "5xx ratio"),),
                  "The line is the objective: 0.5% of requests may fail.", width=12,
                  thresholds=red_from(ERROR_BUDGET), threshold_lines=True, minimum=0),
            Panel("timeseries", "Latency p90 against the objective", "s",
                  (q('histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{job=~"$app"}'
                     '[$__rate_interval])))', "p90"),),
                  "The line is the objective: p90 under 250 ms.", width=12,
                  thresholds=red_from(LATENCY_OBJECTIVE_SECONDS), threshold_lines=True, minimum=0),
        )),
        Row("Capacity headroom", (
            Panel("gauge", "CPU headroom (hosts)", "percentunit",
                  (q("1 - avg(instance:node_cpu_utilisation:rate5m)"),),
                  "Idle share of every host's CPUs.", width=4, height=6, thresholds=red_below(0.1, 0.25),
                  minimum=0, maximum=1),
            Panel("gauge", "Memory headroom (hosts)", "percentunit",
                  (q("sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes)"),),
                  width=4, height=6, thresholds=red_below(0.1, 0.25), minimum=0, maximum=1),
            Panel("gauge", "Disk headroom (fullest filesystem)", "percentunit",
                  (q(f"min(node_filesystem_avail_bytes{{{REAL_FS}}} / node_filesystem_size_bytes{{{REAL_FS}}})"),),
                  width=4, height=6, thresholds=red_below(0.1, 0.2), minimum=0, maximum=1),
            Panel("gauge", "Pod slots free (cluster)", "percentunit",
                  (q('1 - count(kube_pod_info) / sum(kube_node_status_allocatable{resource="pods"})'),),
                  width=4, height=6, thresholds=red_below(0.1, 0.25), minimum=0, maximum=1,
                  links=(("Cluster", drill("suite-cluster", "cluster")),)),
            Panel("gauge", "CPU not yet requested (cluster)", "percentunit",
                  (q('1 - sum(kube_pod_container_resource_requests{resource="cpu"}) '
                     '/ sum(kube_node_status_allocatable{resource="cpu"})'),),
                  width=4, height=6, thresholds=red_below(0.1, 0.25), minimum=0, maximum=1),
            Panel("gauge", "Memory not yet requested (cluster)", "percentunit",
                  (q('1 - sum(kube_pod_container_resource_requests{resource="memory"}) '
                     '/ sum(kube_node_status_allocatable{resource="memory"})'),),
                  width=4, height=6, thresholds=red_below(0.1, 0.25), minimum=0, maximum=1),
        )),
    ),
    links=(Link("Hosts", "suite-hosts"), Link("Cluster", "suite-cluster"), Link("MySQL", "suite-mysql"),
           Link("Instrumented app", "suite-app")),
    editable=False,
)
