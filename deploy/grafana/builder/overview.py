"""Overview, for management: is everything up, what is alerting, do the apps meet their objectives, how
much capacity is left."""

from __future__ import annotations

from .model import (
    ERROR_BUDGET,
    LATENCY_OBJECTIVE_RATIO,
    LATENCY_OBJECTIVE_SECONDS,
    REAL_FS,
    RUNBOOK_LINK,
    SEVERITY_COLOURS,
    SLOW_BUDGET,
    SUCCESS_OBJECTIVE,
    Dashboard,
    Link,
    Panel,
    Row,
    Variable,
    amber_red,
    drill,
    orange_from,
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
ERRORS_SPENT = f"({APP_ERRORS_RANGE} or vector(0)) / {APP_REQUESTS_RANGE} / {ERROR_BUDGET}"
SLOW_SPENT = f"(1 - {APP_FAST_RANGE} / {APP_COUNT_RANGE}) / {SLOW_BUDGET}"
EXHAUSTED_MAPPING = (("0", "Exhausted", "red"),)

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
            Panel("stat", "Hosts", "short", (q('count(up{job="node"} == 1) or vector(0)', "up"),
                                             q('count(up{job="node"} == 0) or vector(0)', "down")),
                  "Hosts whose node exporter answers (drill down to each host).", width=6, height=5,
                  links=(("Hosts", drill("suite-hosts", "hosts")),)),
        )),
        Row("Alerts", (
            Panel("stat", "Critical alerts firing", "short",
                  (q('count(ALERTS{alertstate="firing",severity="critical"}) or vector(0)'),),
                  "Alerts firing now with severity critical (someone is paged).", width=4, height=6,
                  thresholds=red_from(1)),
            Panel("stat", "Warnings firing", "short",
                  (q('count(ALERTS{alertstate="firing",severity="warning"}) or vector(0)'),),
                  "Alerts firing now with severity warning (a ticket, no page).", width=4, height=6,
                  thresholds=orange_from(1)),
            Panel("table", "Firing alerts", "dateTimeFromNow",
                  (q('min by (alertname, severity, team) (ALERTS_FOR_STATE) * 1000 '
                     'and on (alertname, severity, team) ALERTS{alertstate="firing"}', "Since"),),
                  "What is firing now, since when, and which team it is routed to; click an alert for its runbook.",
                  width=16, height=6, no_value="Nothing is firing", column_sort=("Since", False),
                  column_links=(("alertname", "Runbook", RUNBOOK_LINK),)),
            Panel("timeseries", "Firing alerts over time", "short",
                  (q('count by (severity) (ALERTS{alertstate="firing"})', "{{severity}}"),),
                  width=24, height=6, stacked=True, decimals=0, series_colours=SEVERITY_COLOURS),
        )),
        Row("Applications against their objectives", (
            Panel("stat", "Requests succeeding over the period", "percentunit",
                  (q(f"1 - ({APP_ERRORS_RANGE} or vector(0)) / {APP_REQUESTS_RANGE}"),),
                  "Objective: 99.5% of requests answer without a 5xx.", width=6, height=6,
                  thresholds=red_below(SUCCESS_OBJECTIVE, 0.999), minimum=0.9, maximum=1,
                  links=(("Instrumented app", drill("suite-app", "app")),)),
            Panel("gauge", "Error budget left", "percentunit", (q(f"clamp_min(1 - {ERRORS_SPENT}, 0)"),),
                  "Share of the allowed 0.5% of failing requests not yet used over the period (99.5% objective).",
                  width=3, height=6, thresholds=red_below(0.1, 0.25), minimum=0, maximum=1,
                  mappings=EXHAUSTED_MAPPING),
            Panel("stat", "Error budget spent", "percentunit", (q(ERRORS_SPENT),),
                  "Failing requests over the period against the 0.5% allowed: over 100% the budget is exhausted, "
                  "by as much as it says above 100% (300% = three times the failures allowed).", width=3,
                  height=6, thresholds=amber_red(0.75, 1), decimals=0),
            Panel("stat", "Requests within 250 ms over the period", "percentunit",
                  (q(f"{APP_FAST_RANGE} / {APP_COUNT_RANGE}"),),
                  "Objective: p90 under 250 ms, i.e. 90% of requests within 250 ms.", width=6, height=6,
                  thresholds=red_below(LATENCY_OBJECTIVE_RATIO, 0.95), minimum=0.5, maximum=1),
            Panel("gauge", "Latency budget left", "percentunit", (q(f"clamp_min(1 - {SLOW_SPENT}, 0)"),),
                  "Share of the allowed 10% of requests slower than 250 ms not yet used over the period (p90 under "
                  "250 ms).", width=3, height=6, thresholds=red_below(0.1, 0.25), minimum=0, maximum=1,
                  mappings=EXHAUSTED_MAPPING),
            Panel("stat", "Latency budget spent", "percentunit", (q(SLOW_SPENT),),
                  "Requests slower than 250 ms over the period against the 10% allowed: over 100% the budget is "
                  "exhausted, by as much as it says above 100%.", width=3, height=6,
                  thresholds=amber_red(0.75, 1), decimals=0),
            Panel("timeseries", "Error ratio against the objective", "percentunit",
                  (q(f"{APP_ERRORS} / {APP_REQUESTS} or {APP_REQUESTS} * 0", "5xx ratio"),),
                  "The line is the objective: 0.5% of requests may fail.", width=12,
                  thresholds=red_from(ERROR_BUDGET), threshold_lines=True, soft_max=2 * ERROR_BUDGET),
            Panel("timeseries", "Latency p90 against the objective", "s",
                  (q('histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{job=~"$app"}'
                     '[$__rate_interval])))', "p90"),),
                  "The line is the objective: p90 under 250 ms.", width=12, decimals=1,
                  thresholds=red_from(LATENCY_OBJECTIVE_SECONDS), threshold_lines=True,
                  soft_max=1.2 * LATENCY_OBJECTIVE_SECONDS),
        )),
        Row("Capacity headroom", (
            Panel("gauge", "Host CPU headroom", "percentunit",
                  (q("1 - avg(instance:node_cpu_utilisation:rate5m)"),),
                  "Idle share of every host's CPUs.", width=4, height=6, thresholds=red_below(0.1, 0.25),
                  minimum=0, maximum=1),
            Panel("gauge", "Host memory headroom", "percentunit",
                  (q("sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes)"),),
                  width=4, height=6, thresholds=red_below(0.1, 0.25), minimum=0, maximum=1),
            Panel("gauge", "Fullest disk's headroom", "percentunit",
                  (q(f"min(node_filesystem_avail_bytes{{{REAL_FS}}} / node_filesystem_size_bytes{{{REAL_FS}}})"),),
                  width=4, height=6, thresholds=red_below(0.1, 0.2), minimum=0, maximum=1),
            Panel("gauge", "Cluster pod slots free", "percentunit",
                  (q('1 - count(kube_pod_info) / sum(kube_node_status_allocatable{resource="pods"})'),),
                  width=4, height=6, thresholds=red_below(0.1, 0.25), minimum=0, maximum=1,
                  links=(("Cluster", drill("suite-cluster", "cluster")),)),
            Panel("gauge", "Cluster CPU unrequested", "percentunit",
                  (q('1 - sum(kube_pod_container_resource_requests{resource="cpu"}) '
                     '/ sum(kube_node_status_allocatable{resource="cpu"})'),),
                  width=4, height=6, thresholds=red_below(0.1, 0.25), minimum=0, maximum=1),
            Panel("gauge", "Cluster memory unrequested", "percentunit",
                  (q('1 - sum(kube_pod_container_resource_requests{resource="memory"}) '
                     '/ sum(kube_node_status_allocatable{resource="memory"})'),),
                  width=4, height=6, thresholds=red_below(0.1, 0.25), minimum=0, maximum=1),
        )),
    ),
    links=(Link("Hosts", "suite-hosts"), Link("Cluster", "suite-cluster"), Link("MySQL", "suite-mysql"),
           Link("Instrumented app", "suite-app")),
    editable=False,
)
