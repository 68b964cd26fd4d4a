"""Applications, for developers: an app instrumented with app_instrumentation, against its objectives."""

from __future__ import annotations

from .model import (
    ERROR_BUDGET,
    LATENCY_OBJECTIVE_SECONDS,
    Dashboard,
    Link,
    Panel,
    Row,
    Variable,
    q,
    red_from,
)

ROUTES = 'job="$job",route=~"$route"'


def ratio_by_route(status: str) -> str:
    """Share of each route's requests whose status matches: 0, not a gap, for a route without such answers."""
    requests = f"sum by (route) (rate(http_requests_total{{{ROUTES}}}[$__rate_interval]))"
    return (f"(sum by (route) (rate(http_requests_total{{{ROUTES},{status}}}[$__rate_interval])) or {requests} * 0) "
            f"/ {requests}")


APP = Dashboard(
    "suite-app", "Applications", "Instrumented app",
    "An app instrumented with app_instrumentation: rate, errors and latency by route template, requests in flight. "
    "Objectives: 99.5% of requests succeed, p90 under 250 ms.",
    (Variable("job", "Service", "label_values(http_requests_total, job)"),
     Variable("route", "Route", 'label_values(http_requests_total{job="$job"}, route)', include_all=True)),
    (
        Row("Service level", (
            Panel("stat", "Requests per second", "reqps",
                  (q(f"sum(rate(http_requests_total{{{ROUTES}}}[$__rate_interval])) or vector(0)"),), width=6,
                  height=5),
            Panel("stat", "5xx ratio", "percentunit",
                  (q(f'(sum(rate(http_requests_total{{{ROUTES},status=~"5.."}}[$__rate_interval])) or vector(0)) '
                     f"/ sum(rate(http_requests_total{{{ROUTES}}}[$__rate_interval]))"),),
                  "Objective: at most 0.5%.", width=6, height=5, thresholds=red_from(ERROR_BUDGET)),
            Panel("stat", "Latency p90", "s",
                  (q(f"histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{{{ROUTES}}}"
                     "[$__rate_interval])))"),),
                  "Objective: under 250 ms.", width=6, height=5, thresholds=red_from(LATENCY_OBJECTIVE_SECONDS),
                  decimals=1),
            Panel("stat", "Requests in flight", "short",
                  (q(f"sum(http_requests_in_progress{{{ROUTES}}}) or vector(0)"),),
                  "Requests being served at the last scrape (http_requests_in_progress, summed over workers).",
                  width=6, height=5),
        )),
        Row("Rate", (
            Panel("timeseries", "Requests by route", "reqps",
                  (q(f"sum by (route) (rate(http_requests_total{{{ROUTES}}}[$__rate_interval]))", "{{route}}"),),
                  "Stacked: the top is the total.", width=12, stacked=True),
            Panel("timeseries", "Requests by status", "reqps",
                  (q(f"sum by (status) (rate(http_requests_total{{{ROUTES}}}[$__rate_interval]))", "{{status}}"),),
                  width=12, stacked=True),
        )),
        Row("Errors", (
            Panel("timeseries", "5xx ratio by route", "percentunit",
                  (q(ratio_by_route('status=~"5.."'), "{{route}}"),),
                  "Share of each route's requests answered 5xx (0 for a route without any); the line is the 0.5% "
                  "objective.", width=12, thresholds=red_from(ERROR_BUDGET), threshold_lines=True,
                  soft_max=2 * ERROR_BUDGET),
            Panel("timeseries", "4xx ratio by route", "percentunit",
                  (q(ratio_by_route('status=~"4.."'), "{{route}}"),),
                  "Client errors (refused logins, unknown ids); 0 for a route without any.", width=12),
        )),
        Row("Latency", (
            Panel("timeseries", "Latency quantiles", "s",
                  tuple(q(f"histogram_quantile({quantile}, sum by (le) (rate(http_request_duration_seconds_bucket"
                          f"{{{ROUTES}}}[$__rate_interval])))", f"p{round(quantile * 100)}")
                        for quantile in (0.5, 0.9, 0.99)),
                  "The line is the objective for p90: 250 ms.", width=12, decimals=1,
                  thresholds=red_from(LATENCY_OBJECTIVE_SECONDS), threshold_lines=True,
                  soft_max=1.2 * LATENCY_OBJECTIVE_SECONDS),
            Panel("timeseries", "Latency p90 by route", "s",
                  (q(f"histogram_quantile(0.9, sum by (route, le) (rate("
                     f"http_request_duration_seconds_bucket{{{ROUTES}}}[$__rate_interval])))", "{{route}}"),),
                  "The line is the objective: 250 ms.", width=12, decimals=1,
                  thresholds=red_from(LATENCY_OBJECTIVE_SECONDS), threshold_lines=True,
                  soft_max=1.2 * LATENCY_OBJECTIVE_SECONDS),
            Panel("timeseries", "Requests within 250 ms", "percentunit",
                  (q(f'sum by (route) (rate(http_request_duration_seconds_bucket{{{ROUTES},le="0.25"}}'
                     '[$__rate_interval])) '
                     f"/ sum by (route) (rate(http_request_duration_seconds_count{{{ROUTES}}}[$__rate_interval]))",
                     "{{route}}"),),
                  "The line is the objective: 90%.", width=12, thresholds=(("red", None), ("green", 0.9)),
                  threshold_lines=True, maximum=1),
            Panel("timeseries", "Requests in flight by route", "short",
                  (q(f"sum by (route) (http_requests_in_progress{{{ROUTES}}})", "{{route}}"),),
                  "Requests being served at each scrape, by the route template known when they started "
                  "(http_requests_in_progress).", width=12),
        )),
        Row("The demo app's own metrics", (
            Panel("timeseries", "Logins by result", "ops",
                  (q('sum by (result) (rate(logins_total{job="$job"}[$__rate_interval]))', "{{result}}"),), width=12,
                  series_colours=(("success", "green"), ("failure", "red"))),
            Panel("timeseries", "Order look-up p90", "s",
                  (q('histogram_quantile(0.9, sum by (source, le) (rate(order_lookup_seconds_bucket{job="$job"}'
                     '[$__rate_interval])))', "{{source}}"),), width=12, decimals=1),
        )),
    ),
    links=(Link("Service overview", "suite-overview"), Link("Test environment health", "suite-test-env")),
)
