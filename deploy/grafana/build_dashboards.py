"""Writes the Grafana dashboards (dashboards/<folder title>/<name>.json) from the definitions below.

One place for the queries: tests/e2e/test_dashboard_queries.py evaluates every variable and panel query against the
local stack's real Prometheus, tests/deploy/test_grafana.py checks that the committed JSON is what this script writes
and that every query parses. Run: python deploy/grafana/build_dashboards.py

Audiences (folders, permissions in access/plan.yaml): management opens Overview; DevOps Infrastructure (hosts, one
host, the exporters' own health), Kubernetes (cluster -> namespace -> pod) and Databases; developers Applications;
QA Test Environment. Every dashboard picks its Prometheus with `$datasource`; levels link to each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SCHEMA_VERSION = 37  # Grafana 9.2
GRID_WIDTH = 24

# The apps' objectives (the service-level issue): 99.5% of requests succeed, 90% are served within 250 ms.
SUCCESS_OBJECTIVE = 0.995
LATENCY_OBJECTIVE_SECONDS = 0.25
LATENCY_OBJECTIVE_RATIO = 0.9
ERROR_BUDGET = round(1 - SUCCESS_OBJECTIVE, 6)
SLOW_BUDGET = round(1 - LATENCY_OBJECTIVE_RATIO, 6)


# --- the model ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Panel:
    """kind: stat | gauge | bargauge | table | timeseries. Tables and single-value kinds ask for instant values.
    thresholds: (colour, from) steps, the first from None. links: (title, url) data links."""

    kind: str
    title: str
    unit: str
    queries: tuple[Query, ...]
    description: str = ""
    width: int = 12
    height: int = 8
    thresholds: tuple[tuple[str, float | None], ...] = (("green", None),)
    minimum: float | None = None
    maximum: float | None = None
    links: tuple[tuple[str, str], ...] = ()
    stacked: bool = False
    threshold_lines: bool = False
    text_mode: str = "auto"
    mappings: tuple[tuple[str, str, str], ...] = ()  # (value, text, colour)
    column_units: tuple[tuple[str, str], ...] = ()  # table: (column, unit)
    column_links: tuple[tuple[str, str, str], ...] = ()  # table: (column, title, url)
    coloured_columns: tuple[str, ...] = ()  # table: only these take the thresholds' and mappings' colours


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True)
class Variable:
    """A query variable fed by `label_values(...)`; `include_all` adds All (regex .*) as its first option."""

    name: str
    label: str
    query: str
    include_all: bool = False


@dataclass(frozen=True)
class Link:
    title: str
    uid: str
    include_vars: bool = False


@dataclass(frozen=True)
class Dashboard:
    uid: str
    folder: str
    title: str
    description: str
    variables: tuple[Variable, ...]
    rows: tuple[Row, ...]
    links: tuple[Link, ...] = ()
    editable: bool = True
    tags: tuple[str, ...] = field(default=())

    @property
    def file_name(self) -> str:
        return f"{self.uid.removeprefix('suite-')}.json"


def q(expr: str, legend: str = "") -> Query:
    return Query(expr, legend)


def red_from(value: float) -> tuple[tuple[str, float | None], ...]:
    return (("green", None), ("red", value))


def amber_red(amber: float, red: float) -> tuple[tuple[str, float | None], ...]:
    return (("green", None), ("orange", amber), ("red", red))


def red_below(amber: float, green: float) -> tuple[tuple[str, float | None], ...]:
    return (("red", None), ("orange", amber), ("green", green))


def drill(uid: str, slug: str, **variables: str) -> str:
    """A data link to a lower level, keeping the time range and the data source."""
    params = "".join(f"&var-{name}={value}" for name, value in variables.items())
    return f"/d/{uid}/{slug}?${{__url_time_range}}&var-datasource=${{datasource}}{params}"


UP_MAPPING = (("1", "Up", "green"), ("0", "Down", "red"))
BOOL_MAPPING = (("1", "Yes", "green"), ("0", "No", "red"))
FS = 'fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|fuse.lxcfs"'

# --- Overview (management) ----------------------------------------------------------------------------------
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
                  (q(f"min(node_filesystem_avail_bytes{{{FS}}} / node_filesystem_size_bytes{{{FS}}})"),),
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

# --- Infrastructure: hosts, one host, the exporters ---------------------------------------------------------
H = 'job="$job",instance=~"$instance"'
HOST_LINK = (("Host detail", drill("suite-host", "host", job="$job", instance="${__field.labels.instance}")),)

HOSTS = Dashboard(
    "suite-hosts", "Infrastructure", "Hosts",
    "Every host of a node exporter job; click a host for its detail.",
    (Variable("job", "Job", "label_values(node_uname_info, job)"),
     Variable("instance", "Instance", 'label_values(node_uname_info{job="$job"}, instance)', include_all=True)),
    (
        Row("Fleet", (
            Panel("stat", "Hosts up", "short", (q(f"sum(up{{{H}}})"),), width=4, height=6,
                  thresholds=(("red", None), ("green", 1))),
            Panel("stat", "Hosts down", "short", (q(f"count(up{{{H}}} == 0) or vector(0)"),), width=4, height=6,
                  thresholds=red_from(1)),
            Panel("table", "Hosts", "percentunit",
                  (q(f"instance:node_cpu_utilisation:rate5m{{{H}}}", "CPU"),
                   q(f"instance:node_memory_utilisation:ratio{{{H}}}", "Memory"),
                   q(f"max by (job, instance) (1 - node_filesystem_avail_bytes{{{H},{FS}}} "
                     f"/ node_filesystem_size_bytes{{{H},{FS}}})", "Fullest filesystem"),
                   q(f"time() - node_boot_time_seconds{{{H}}}", "Uptime")),
                  "One row per host: click the instance for its detail.", width=16, height=6,
                  thresholds=amber_red(0.8, 0.9), column_units=(("Uptime", "s"),),
                  coloured_columns=("CPU", "Memory", "Fullest filesystem"),
                  column_links=(("instance", "Host detail",
                                 drill("suite-host", "host", job="${__data.fields.job}",
                                       instance="${__data.fields.instance}")),)),
        )),
        Row("CPU and memory", (
            Panel("timeseries", "CPU utilisation", "percentunit",
                  (q(f"instance:node_cpu_utilisation:rate5m{{{H}}}", "{{instance}}"),), width=8,
                  thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1, links=HOST_LINK),
            Panel("timeseries", "Memory utilisation", "percentunit",
                  (q(f"instance:node_memory_utilisation:ratio{{{H}}}", "{{instance}}"),), width=8,
                  thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1, links=HOST_LINK),
            Panel("timeseries", "Load per CPU (1 m)", "short",
                  (q(f'node_load1{{{H}}} / on (job, instance) count by (job, instance) '
                     f'(node_cpu_seconds_total{{{H},mode="idle"}})', "{{instance}}"),),
                  "Above 1 the runnable tasks outnumber the CPUs.", width=8, thresholds=amber_red(1, 2),
                  links=HOST_LINK),
        )),
        Row("Disks and network", (
            Panel("timeseries", "Fullest filesystem", "percentunit",
                  (q(f"max by (instance) (1 - node_filesystem_avail_bytes{{{H},{FS}}} "
                     f"/ node_filesystem_size_bytes{{{H},{FS}}})", "{{instance}}"),),
                  width=8, thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1, links=HOST_LINK),
            Panel("timeseries", "Busiest disk", "percentunit",
                  (q(f"max by (instance) (rate(node_disk_io_time_seconds_total{{{H}}}[$__rate_interval]))",
                     "{{instance}}"),), "Share of time the busiest device had I/O in flight.", width=8,
                  thresholds=amber_red(0.8, 0.95), minimum=0, links=HOST_LINK),
            Panel("timeseries", "Network traffic (all devices but lo)", "Bps",
                  (q(f"instance:node_network_receive_bytes:rate5m{{{H}}}", "{{instance}} in"),
                   q(f"instance:node_network_transmit_bytes:rate5m{{{H}}}", "{{instance}} out")),
                  width=8, links=HOST_LINK),
        )),
    ),
    links=(Link("Service overview", "suite-overview"), Link("Host detail", "suite-host", include_vars=True),
           Link("Exporters' health", "suite-exporters")),
)

N = 'job="$job",instance="$instance"'
HOST = Dashboard(
    "suite-host", "Infrastructure", "Host",
    "One host in detail: CPU modes, memory, disk I/O, filesystems, network, pressure stall information, clock.",
    (Variable("job", "Job", "label_values(node_uname_info, job)"),
     Variable("instance", "Instance", 'label_values(node_uname_info{job="$job"}, instance)')),
    (
        Row("Summary", (
            Panel("stat", "Uptime", "s", (q(f"time() - node_boot_time_seconds{{{N}}}"),), width=4, height=4),
            Panel("stat", "CPUs", "short", (q(f'count(node_cpu_seconds_total{{{N},mode="idle"}})'),),
                  width=3, height=4),
            Panel("stat", "Memory", "bytes", (q(f"node_memory_MemTotal_bytes{{{N}}}"),), width=3, height=4),
            Panel("stat", "Kernel", "short", (q(f"node_uname_info{{{N}}}", "{{release}}"),), width=5, height=4,
                  text_mode="name"),
            Panel("gauge", "CPU busy", "percentunit", (q(f"instance:node_cpu_utilisation:rate5m{{{N}}}"),),
                  width=3, height=4, thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1),
            Panel("gauge", "Memory used", "percentunit", (q(f"instance:node_memory_utilisation:ratio{{{N}}}"),),
                  width=3, height=4, thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1),
            Panel("gauge", "Root filesystem used", "percentunit",
                  (q(f'1 - node_filesystem_avail_bytes{{{N},mountpoint="/"}} '
                     f'/ node_filesystem_size_bytes{{{N},mountpoint="/"}}'),),
                  width=3, height=4, thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1),
        )),
        Row("CPU", (
            Panel("timeseries", "CPU time by mode", "percentunit",
                  (q(f"sum by (mode) (rate(node_cpu_seconds_total{{{N}}}[$__rate_interval])) / scalar(count("
                     f'node_cpu_seconds_total{{{N},mode="idle"}}))', "{{mode}}"),),
                  "Share of all CPUs' time in each mode.", width=12, stacked=True, minimum=0, maximum=1),
            Panel("timeseries", "Load average", "short",
                  (q(f"node_load1{{{N}}}", "1 m"), q(f"node_load5{{{N}}}", "5 m"), q(f"node_load15{{{N}}}", "15 m"),
                   q(f'count(node_cpu_seconds_total{{{N},mode="idle"}})', "CPUs")), width=6),
            Panel("timeseries", "Context switches and interrupts", "ops",
                  (q(f"rate(node_context_switches_total{{{N}}}[$__rate_interval])", "context switches"),
                   q(f"rate(node_intr_total{{{N}}}[$__rate_interval])", "interrupts")), width=6),
        )),
        Row("Memory", (
            Panel("timeseries", "Memory", "bytes",
                  (q(f"node_memory_MemTotal_bytes{{{N}}} - node_memory_MemAvailable_bytes{{{N}}}", "used"),
                   q(f"node_memory_Cached_bytes{{{N}}}", "page cache"), q(f"node_memory_Buffers_bytes{{{N}}}",
                                                                           "buffers"),
                   q(f"node_memory_MemFree_bytes{{{N}}}", "free"), q(f"node_memory_MemTotal_bytes{{{N}}}", "total")),
                  width=12),
            Panel("timeseries", "Swap and page faults", "short",
                  (q(f"node_memory_SwapTotal_bytes{{{N}}} - node_memory_SwapFree_bytes{{{N}}}", "swap used (bytes)"),
                   q(f"rate(node_vmstat_pgmajfault{{{N}}}[$__rate_interval])", "major faults/s"),
                   q(f"rate(node_vmstat_pswpin{{{N}}}[$__rate_interval]) + rate(node_vmstat_pswpout{{{N}}}"
                     "[$__rate_interval])", "pages swapped/s")), width=12),
        )),
        Row("Disk I/O", (
            Panel("timeseries", "Throughput by device", "Bps",
                  (q(f"rate(node_disk_read_bytes_total{{{N}}}[$__rate_interval])", "{{device}} read"),
                   q(f"rate(node_disk_written_bytes_total{{{N}}}[$__rate_interval])", "{{device}} written")),
                  width=8),
            Panel("timeseries", "Operations by device", "iops",
                  (q(f"rate(node_disk_reads_completed_total{{{N}}}[$__rate_interval])", "{{device}} reads"),
                   q(f"rate(node_disk_writes_completed_total{{{N}}}[$__rate_interval])", "{{device}} writes")),
                  width=8),
            Panel("timeseries", "Time busy by device", "percentunit",
                  (q(f"rate(node_disk_io_time_seconds_total{{{N}}}[$__rate_interval])", "{{device}}"),),
                  width=8, thresholds=amber_red(0.8, 0.95), minimum=0),
        )),
        Row("Filesystems", (
            Panel("table", "Filesystems", "bytes",
                  (q(f"node_filesystem_size_bytes{{{N},{FS}}}", "Size"),
                   q(f"node_filesystem_avail_bytes{{{N},{FS}}}", "Available"),
                   q(f"1 - node_filesystem_avail_bytes{{{N},{FS}}} / node_filesystem_size_bytes{{{N},{FS}}}", "Used"),
                   q(f"1 - node_filesystem_files_free{{{N},{FS}}} / node_filesystem_files{{{N},{FS}}}", "Inodes used"),
                   q(f"node_filesystem_readonly{{{N},{FS}}}", "Read-only")),
                  width=14, thresholds=amber_red(0.8, 0.9),
                  column_units=(("Used", "percentunit"), ("Inodes used", "percentunit"), ("Read-only", "short")),
                  coloured_columns=("Used", "Inodes used")),
            Panel("timeseries", "Space used by mount point", "percentunit",
                  (q(f"1 - node_filesystem_avail_bytes{{{N},{FS}}} / node_filesystem_size_bytes{{{N},{FS}}}",
                     "{{mountpoint}}"),), width=10, thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1),
        )),
        Row("Network", (
            Panel("timeseries", "Traffic by device", "Bps",
                  (q(f'rate(node_network_receive_bytes_total{{{N},device!="lo"}}[$__rate_interval])', "{{device}} in"),
                   q(f'rate(node_network_transmit_bytes_total{{{N},device!="lo"}}[$__rate_interval])',
                     "{{device}} out")), width=8),
            Panel("timeseries", "Errors and drops", "pps",
                  (q(f"rate(node_network_receive_errs_total{{{N}}}[$__rate_interval]) + "
                     f"rate(node_network_transmit_errs_total{{{N}}}[$__rate_interval])", "{{device}} errors"),
                   q(f"rate(node_network_receive_drop_total{{{N}}}[$__rate_interval]) + "
                     f"rate(node_network_transmit_drop_total{{{N}}}[$__rate_interval])", "{{device}} drops")),
                  width=8),
            Panel("timeseries", "TCP", "short",
                  (q(f"node_netstat_Tcp_CurrEstab{{{N}}}", "established"),
                   q(f"rate(node_netstat_Tcp_RetransSegs{{{N}}}[$__rate_interval])", "retransmits/s"),
                   q(f"node_sockstat_TCP_tw{{{N}}}", "time-wait")), width=8),
        )),
        Row("Pressure stall information", (
            Panel("timeseries", "Time waiting for a resource", "percentunit",
                  (q(f"rate(node_pressure_cpu_waiting_seconds_total{{{N}}}[$__rate_interval])", "CPU (some)"),
                   q(f"rate(node_pressure_memory_waiting_seconds_total{{{N}}}[$__rate_interval])", "memory (some)"),
                   q(f"rate(node_pressure_io_waiting_seconds_total{{{N}}}[$__rate_interval])", "I/O (some)")),
                  "Share of time at least one task waited (kernel PSI 'some').", width=12,
                  thresholds=amber_red(0.2, 0.5), minimum=0),
            Panel("timeseries", "Time stalled", "percentunit",
                  (q(f"rate(node_pressure_memory_stalled_seconds_total{{{N}}}[$__rate_interval])", "memory (full)"),
                   q(f"rate(node_pressure_io_stalled_seconds_total{{{N}}}[$__rate_interval])", "I/O (full)")),
                  "Share of time every non-idle task was stalled (kernel PSI 'full').", width=12,
                  thresholds=amber_red(0.05, 0.2), minimum=0),
        )),
        Row("Clock", (
            Panel("stat", "Synchronised", "short", (q(f"node_timex_sync_status{{{N}}}"),),
                  "The kernel's clock is synchronised (adjtimex).", width=4, height=6, mappings=BOOL_MAPPING,
                  thresholds=(("red", None), ("green", 1))),
            Panel("timeseries", "Clock offset and error", "s",
                  (q(f"node_timex_offset_seconds{{{N}}}", "offset"),
                   q(f"node_timex_estimated_error_seconds{{{N}}}", "estimated error"),
                   q(f"node_timex_maxerror_seconds{{{N}}}", "maximum error")),
                  "From adjtimex(2): what the time daemon reports.", width=10, height=6),
            Panel("timeseries", "Clock against Prometheus", "s",
                  (q(f"node_time_seconds{{{N}}} - timestamp(node_time_seconds{{{N}}})", "host - Prometheus"),),
                  "Difference between the host's clock and the scrape time (includes scrape latency).",
                  width=6, height=6, thresholds=(("red", None), ("green", -0.05), ("red", 0.05))),
            Panel("stat", "Clock source", "short",
                  (q(f"node_time_clocksource_current_info{{{N}}}", "{{clocksource}}"),), width=4, height=6,
                  text_mode="name"),
        )),
    ),
    links=(Link("Hosts", "suite-hosts", include_vars=True), Link("Service overview", "suite-overview")),
)

E = 'job=~"$job"'
EXPORTERS = Dashboard(
    "suite-exporters", "Infrastructure", "Exporters' health",
    "The exporters themselves: scrapes, collectors that fail, kube-state list/watch errors, MySQL scrape errors.",
    (Variable("job", "Job", "label_values(up, job)", include_all=True),),
    (
        Row("Scrapes", (
            Panel("table", "Targets", "short", (q(f"up{{{E}}}", "Up"),), width=8, mappings=UP_MAPPING,
                  thresholds=(("red", None), ("green", 1))),
            Panel("timeseries", "Scrape duration", "s", (q(f"scrape_duration_seconds{{{E}}}", "{{job}} {{instance}}"),),
                  width=8, thresholds=amber_red(1, 5)),
            Panel("timeseries", "Samples per scrape", "short",
                  (q(f"scrape_samples_scraped{{{E}}}", "{{job}} {{instance}}"),), width=8),
        )),
        Row("Node exporter", (
            Panel("stat", "Collectors failing", "short",
                  (q(f"count(node_scrape_collector_success{{{E}}} == 0) or vector(0)"),),
                  "Collectors whose last run failed (the hardware they read may be absent).", width=4,
                  thresholds=amber_red(1, 10)),
            Panel("table", "Collector success", "short",
                  (q(f"node_scrape_collector_success{{{E}}}", "Success"),), width=8, mappings=BOOL_MAPPING),
            Panel("timeseries", "Slowest collectors", "s",
                  (q(f"topk(5, node_scrape_collector_duration_seconds{{{E}}})", "{{collector}}"),), width=12),
        )),
        Row("Kube-state exporter", (
            Panel("timeseries", "List and watch errors by resource", "short",
                  (q(f'sum by (resource) (increase(kube_state_metrics_list_total{{{E},result="error"}}'
                     f"[$__rate_interval])) or sum by (resource) (kube_state_metrics_list_total{{{E}}}) * 0",
                     "list {{resource}}"),
                   q(f'sum by (resource) (increase(kube_state_metrics_watch_total{{{E},result="error"}}'
                     f"[$__rate_interval])) or sum by (resource) (kube_state_metrics_watch_total{{{E}}}) * 0",
                     "watch {{resource}}")),
                  "Failed list and watch requests to the API server (0 for every resource when all is well).",
                  width=8, thresholds=red_from(1)),
            Panel("timeseries", "Watch events", "ops",
                  (q(f"sum by (resource) (rate(kube_state_metrics_watch_events_total{{{E}}}[$__rate_interval]))",
                     "{{resource}}"),), width=8),
            Panel("table", "Objects and last sync", "short",
                  (q(f"sum by (resource) (kube_state_metrics_objects{{{E}}})", "Objects"),
                   q(f"time() - max by (resource) (kube_state_metrics_last_sync_timestamp_seconds{{{E}}})",
                     "Since last sync")), width=8, column_units=(("Since last sync", "s"),)),
        )),
        Row("MySQL exporter", (
            Panel("stat", "MySQL reachable", "short", (q(f"mysql_up{{{E}}}", "{{instance}}"),), width=4,
                  mappings=UP_MAPPING, thresholds=(("red", None), ("green", 1))),
            Panel("timeseries", "Scrape errors by collector", "short",
                  (q(f"sum by (collector) (increase(mysql_exporter_scrape_errors_total{{{E}}}[$__rate_interval])) "
                     f"or sum by (collector) (mysql_exporter_collector_duration_seconds{{{E}}}) * 0",
                     "{{collector}}"),
                   q(f"mysql_exporter_last_scrape_error{{{E}}}", "last scrape failed")),
                  "Scrapers that failed (a missing privilege, say): 0 for every collector when all is well.",
                  width=10, thresholds=red_from(1)),
            Panel("timeseries", "Collector durations", "s",
                  (q(f"mysql_exporter_collector_duration_seconds{{{E}}}", "{{collector}}"),), width=10),
        )),
        Row("Exporter processes", (
            Panel("timeseries", "Resident memory", "bytes",
                  (q(f"process_resident_memory_bytes{{{E}}}", "{{job}} {{instance}}"),), width=12),
            Panel("timeseries", "CPU", "percentunit",
                  (q(f"rate(process_cpu_seconds_total{{{E}}}[$__rate_interval])", "{{job}} {{instance}}"),),
                  "Share of one core.", width=12),
        )),
    ),
    links=(Link("Service overview", "suite-overview"), Link("Hosts", "suite-hosts")),
)

# --- Kubernetes: cluster -> namespace -> pod ----------------------------------------------------------------
NAMESPACE_LINK = (("Namespace", drill("suite-namespace", "namespace", namespace="${__field.labels.namespace}")),)
POD_LINK = (("Pod", drill("suite-pod", "pod", namespace="$namespace", pod="${__field.labels.pod}")),)

CLUSTER = Dashboard(
    "suite-cluster", "Kubernetes", "Cluster",
    "The whole cluster from kube-state metrics; click a namespace to open it.",
    (Variable("node", "Node", "label_values(kube_node_info, node)", include_all=True),),
    (
        Row("Health", (
            Panel("stat", "Nodes ready", "short",
                  (q('sum(kube_node_status_condition{node=~"$node",condition="Ready",status="true"})'),),
                  width=4, height=5, thresholds=(("red", None), ("green", 1))),
            Panel("stat", "Nodes not ready", "short",
                  (q('sum(kube_node_status_condition{node=~"$node",condition="Ready",status!="true"})'),),
                  width=4, height=5, thresholds=red_from(1)),
            Panel("stat", "Pods running", "short",
                  (q('sum(kube_pod_status_phase{phase="Running"} * on (namespace, pod) group_left () '
                     'max by (namespace, pod) (kube_pod_info{node=~"$node"}))'),), width=4, height=5),
            Panel("stat", "Containers crash-looping", "short",
                  (q('sum(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) or vector(0)'),),
                  width=4, height=5, thresholds=red_from(1)),
            Panel("stat", "Deployments short of replicas", "short",
                  (q("count(kube_deployment_status_replicas_available < kube_deployment_spec_replicas) or vector(0)"),),
                  width=4, height=5, thresholds=amber_red(1, 3)),
            Panel("stat", "Container restarts (1 h)", "short",
                  (q("sum(namespace:kube_pod_container_status_restarts:increase1h)"),), width=4, height=5,
                  thresholds=amber_red(1, 10)),
        )),
        Row("Capacity", (
            Panel("bargauge", "Requested against allocatable", "percentunit",
                  (q('sum(kube_pod_container_resource_requests{node=~"$node",resource="cpu"}) '
                     '/ sum(kube_node_status_allocatable{node=~"$node",resource="cpu"})', "CPU"),
                   q('sum(kube_pod_container_resource_requests{node=~"$node",resource="memory"}) '
                     '/ sum(kube_node_status_allocatable{node=~"$node",resource="memory"})', "memory"),
                   q('count(kube_pod_info{node=~"$node"}) / sum(kube_node_status_allocatable{node=~"$node",'
                     'resource="pods"})', "pods")),
                  width=8, thresholds=amber_red(0.75, 0.9), minimum=0, maximum=1),
            Panel("table", "Nodes", "short",
                  (q('sum by (node) (kube_node_status_condition{node=~"$node",condition="Ready",status="true"})',
                     "Ready"),
                   q('count by (node) (kube_pod_info{node=~"$node"})', "Pods"),
                   q('kube_node_status_allocatable{node=~"$node",resource="pods"}', "Pod slots"),
                   q('kube_node_status_allocatable{node=~"$node",resource="cpu"}', "CPU cores"),
                   q('kube_node_status_allocatable{node=~"$node",resource="memory"}', "Memory")),
                  width=16, mappings=BOOL_MAPPING, column_units=(("Memory", "bytes"),), coloured_columns=("Ready",),
                  thresholds=(("red", None), ("green", 1))),
        )),
        Row("Namespaces and workloads", (
            Panel("table", "Namespaces", "short",
                  (q("count by (namespace) (kube_pod_info)", "Pods"),
                   q("sum by (namespace) (namespace:kube_pod_container_status_restarts:increase1h)",
                     "Restarts (1 h)"),
                   q('sum by (namespace) (kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"})',
                     "Crash-looping")),
                  "Click a namespace for its workloads and pods.", width=10,
                  column_links=(("namespace", "Namespace",
                                 drill("suite-namespace", "namespace", namespace="${__data.fields.namespace}")),)),
            Panel("timeseries", "Pods by phase", "short",
                  (q("sum by (phase) (namespace:kube_pod_status_phase:count)", "{{phase}}"),), width=7, stacked=True),
            Panel("timeseries", "Container restarts by namespace (1 h)", "short",
                  (q("namespace:kube_pod_container_status_restarts:increase1h", "{{namespace}}"),), width=7,
                  links=NAMESPACE_LINK),
            Panel("table", "Deployments", "short",
                  (q("kube_deployment_spec_replicas", "Desired"),
                   q("kube_deployment_status_replicas_available", "Available"),
                   q("kube_deployment_status_replicas_unavailable", "Unavailable")), width=12,
                  thresholds=red_from(1), coloured_columns=("Unavailable",),
                  column_links=(("namespace", "Namespace",
                                 drill("suite-namespace", "namespace", namespace="${__data.fields.namespace}")),)),
            Panel("table", "Crash-looping containers", "short",
                  (q('kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}', "Waiting"),),
                  width=12, thresholds=red_from(1),
                  column_links=(("pod", "Pod", drill("suite-pod", "pod", namespace="${__data.fields.namespace}",
                                                     pod="${__data.fields.pod}")),)),
        )),
    ),
    links=(Link("Service overview", "suite-overview"), Link("Namespace", "suite-namespace")),
)

S = 'namespace="$namespace"'
NAMESPACE = Dashboard(
    "suite-namespace", "Kubernetes", "Namespace",
    "One namespace: its workloads and pods; click a pod for its containers.",
    (Variable("namespace", "Namespace", "label_values(kube_pod_info, namespace)"),),
    (
        Row("Summary", (
            Panel("stat", "Pods", "short", (q(f"count(kube_pod_info{{{S}}})"),), width=6, height=4),
            Panel("stat", "Pods running", "short",
                  (q(f'sum(kube_pod_status_phase{{{S},phase="Running"}})'),), width=6, height=4),
            Panel("stat", "Container restarts (1 h)", "short",
                  (q(f"sum(increase(kube_pod_container_status_restarts_total{{{S}}}[1h]))"),), width=6, height=4,
                  thresholds=amber_red(1, 10)),
            Panel("stat", "Containers waiting", "short",
                  (q(f"sum(kube_pod_container_status_waiting{{{S}}})"),), width=6, height=4,
                  thresholds=amber_red(1, 3)),
        )),
        Row("Workloads", (
            Panel("table", "Deployments", "short",
                  (q(f"kube_deployment_spec_replicas{{{S}}}", "Desired"),
                   q(f"kube_deployment_status_replicas_available{{{S}}}", "Available"),
                   q(f"kube_deployment_status_replicas_updated{{{S}}}", "Updated")), width=12),
            Panel("table", "Pods by owner", "short",
                  (q(f"count by (owner_kind, owner_name) (kube_pod_owner{{{S}}})", "Pods"),),
                  "Pods per controller (a bare pod has no owner).", width=12),
        )),
        Row("Pods", (
            Panel("table", "Pods", "short",
                  (q(f"max by (pod, node, pod_ip) (kube_pod_info{{{S}}})", "Scheduled"),
                   q(f"sum by (pod) (kube_pod_container_status_restarts_total{{{S}}})", "Restarts"),
                   q(f'sum by (pod) (kube_pod_status_ready{{{S},condition="true"}})', "Ready")),
                  "Click a pod for its containers.", width=12, mappings=BOOL_MAPPING,
                  thresholds=(("red", None), ("green", 1)), coloured_columns=("Scheduled", "Ready"),
                  column_links=(("pod", "Pod", drill("suite-pod", "pod", namespace="$namespace",
                                                     pod="${__data.fields.pod}")),)),
            Panel("timeseries", "Container restarts by pod", "short",
                  (q(f"sum by (pod) (kube_pod_container_status_restarts_total{{{S}}})", "{{pod}}"),), width=12,
                  links=POD_LINK),
            Panel("timeseries", "Waiting containers by reason", "short",
                  (q(f"sum by (pod, reason) (kube_pod_container_status_waiting_reason{{{S}}}) or on (pod) "
                     f"sum by (pod) (kube_pod_container_status_waiting{{{S}}})", "{{pod}} {{reason}}"),),
                  "CrashLoopBackOff, ImagePullBackOff, ...: a pod listed without a reason is not waiting.",
                  width=12, thresholds=red_from(1), links=POD_LINK),
            Panel("table", "Requests and limits by pod", "short",
                  (q(f"sum by (pod, resource) (kube_pod_container_resource_requests{{{S}}})", "Requested"),
                   q(f"sum by (pod, resource) (kube_pod_container_resource_limits{{{S}}})", "Limit")), width=12),
        )),
    ),
    links=(Link("Cluster", "suite-cluster"), Link("Pod", "suite-pod", include_vars=True)),
)

P = 'namespace="$namespace",pod="$pod"'
POD_NODE = f"max by (node) (kube_pod_info{{{P}}})"


def against_node(resource: str) -> str:
    """The pod's requests and limits per container, and the allocatable of its node, as one series set told apart
    by `kind`: a pod without requests still shows what its node offers."""
    return (f'label_replace(sum by (container) (kube_pod_container_resource_requests{{{P},resource="{resource}"}}), '
            f'"kind", "request", "", "") or label_replace(sum by (container) (kube_pod_container_resource_limits{{{P},'
            f'resource="{resource}"}}), "kind", "limit", "", "") or label_replace(max by (node) '
            f'(kube_node_status_allocatable{{resource="{resource}"}} * on (node) group_left () {POD_NODE}), '
            f'"kind", "node allocatable", "", "")')


POD = Dashboard(
    "suite-pod", "Kubernetes", "Pod",
    "One pod: phase, restarts, why containers wait, resources against requests and limits.",
    (Variable("namespace", "Namespace", "label_values(kube_pod_info, namespace)"),
     Variable("pod", "Pod", 'label_values(kube_pod_info{namespace="$namespace"}, pod)')),
    (
        Row("Status", (
            Panel("stat", "Phase", "short", (q(f"kube_pod_status_phase{{{P}}} == 1", "{{phase}}"),), width=4,
                  height=4, text_mode="name"),
            Panel("stat", "Ready", "short", (q(f'sum(kube_pod_status_ready{{{P},condition="true"}})'),), width=3,
                  height=4, mappings=BOOL_MAPPING, thresholds=(("red", None), ("green", 1))),
            Panel("stat", "Restarts", "short", (q(f"sum(kube_pod_container_status_restarts_total{{{P}}})"),),
                  width=3, height=4, thresholds=amber_red(1, 5)),
            Panel("stat", "QoS class", "short", (q(f"kube_pod_status_qos_class{{{P}}} == 1", "{{qos_class}}"),),
                  "BestEffort: no container sets requests or limits.", width=4, height=4, text_mode="name"),
            Panel("stat", "Node", "short", (q(f"kube_pod_info{{{P}}}", "{{node}}"),), width=5, height=4,
                  text_mode="name"),
            Panel("stat", "Age", "s", (q(f"time() - kube_pod_created{{{P}}}"),), width=5, height=4),
        )),
        Row("Containers", (
            Panel("table", "Containers", "short",
                  (q(f"max by (container, image) (kube_pod_container_info{{{P}}})", "Declared"),
                   q(f"sum by (container) (kube_pod_container_status_ready{{{P}}})", "Ready"),
                   q(f"sum by (container) (kube_pod_container_status_restarts_total{{{P}}})", "Restarts")),
                  width=12, mappings=BOOL_MAPPING, thresholds=(("red", None), ("green", 1)),
                  coloured_columns=("Declared", "Ready")),
            Panel("table", "Waiting reasons", "short",
                  (q(f"sum by (container, reason) (kube_pod_container_status_waiting_reason{{{P}}}) or on (container) "
                     f"sum by (container) (kube_pod_container_status_waiting{{{P}}})", "Waiting"),),
                  "A container listed without a reason is not waiting.", width=12, thresholds=red_from(1)),
            Panel("timeseries", "Restarts", "short",
                  (q(f"kube_pod_container_status_restarts_total{{{P}}}", "{{container}}"),), width=24,
                  thresholds=amber_red(1, 5)),
        )),
        Row("Resources against requests and limits", (
            Panel("bargauge", "CPU: requests and limits against the node", "short",
                  (q(against_node("cpu"), "{{kind}} {{container}}{{node}}"),), "Cores.", width=12),
            Panel("bargauge", "Memory: requests and limits against the node", "bytes",
                  (q(against_node("memory"), "{{kind}} {{container}}{{node}}"),), width=12),
        )),
    ),
    links=(Link("Namespace", "suite-namespace", include_vars=True), Link("Cluster", "suite-cluster")),
)

# --- Databases ----------------------------------------------------------------------------------------------
M = 'instance="$instance"'
MYSQL = Dashboard(
    "suite-mysql", "Databases", "MySQL",
    "One MySQL/MariaDB server: connections, queries by command, InnoDB, replication.",
    (Variable("instance", "Instance", "label_values(mysql_up, instance)"),),
    (
        Row("Summary", (
            Panel("stat", "Up", "short", (q(f"mysql_up{{{M}}}"),), width=3, height=4, mappings=UP_MAPPING,
                  thresholds=(("red", None), ("green", 1))),
            Panel("stat", "Uptime", "s", (q(f"mysql_global_status_uptime{{{M}}}"),), width=4, height=4,
                  thresholds=(("orange", None), ("green", 3600))),
            Panel("stat", "Version", "short", (q(f"mysql_version_info{{{M}}}", "{{version}}"),), width=5, height=4,
                  text_mode="name"),
            Panel("stat", "Queries per second", "qps",
                  (q(f"rate(mysql_global_status_queries{{{M}}}[$__rate_interval])"),), width=4, height=4),
            Panel("gauge", "Connections used", "percentunit",
                  (q(f"mysql_global_status_threads_connected{{{M}}} / mysql_global_variables_max_connections{{{M}}}"),),
                  width=4, height=4, thresholds=amber_red(0.75, 0.9), minimum=0, maximum=1),
            Panel("gauge", "Buffer pool hit ratio", "percentunit",
                  (q(f"1 - rate(mysql_global_status_innodb_buffer_pool_reads{{{M}}}[$__rate_interval]) / "
                     f"rate(mysql_global_status_innodb_buffer_pool_read_requests{{{M}}}[$__rate_interval])"),),
                  "Page reads served from memory.", width=4, height=4, thresholds=red_below(0.95, 0.99),
                  minimum=0, maximum=1),
        )),
        Row("Connections", (
            Panel("timeseries", "Threads", "short",
                  (q(f"mysql_global_status_threads_connected{{{M}}}", "connected"),
                   q(f"mysql_global_status_threads_running{{{M}}}", "running"),
                   q(f"mysql_global_variables_max_connections{{{M}}}", "max_connections")), width=12),
            Panel("timeseries", "Connection problems", "ops",
                  (q(f"rate(mysql_global_status_aborted_connects{{{M}}}[$__rate_interval])", "aborted connects"),
                   q(f"rate(mysql_global_status_aborted_clients{{{M}}}[$__rate_interval])", "aborted clients"),
                   q(f"sum(rate(mysql_global_status_connection_errors_total{{{M}}}[$__rate_interval]))",
                     "connection errors")), width=12),
        )),
        Row("Queries", (
            Panel("timeseries", "Commands", "ops",
                  (q(f"sum by (command) (rate(mysql_global_status_commands_total{{{M}}}[$__rate_interval])) > 0",
                     "{{command}}"),), "Statements by command (those run in the period).", width=12),
            Panel("timeseries", "Questions and slow queries", "ops",
                  (q(f"rate(mysql_global_status_questions{{{M}}}[$__rate_interval])", "questions"),
                   q(f"rate(mysql_global_status_slow_queries{{{M}}}[$__rate_interval])", "slow queries")), width=12),
            Panel("timeseries", "Handlers", "ops",
                  (q(f"sum by (handler) (rate(mysql_global_status_handlers_total{{{M}}}[$__rate_interval])) > 0",
                     "{{handler}}"),), "Row-level operations of the storage engines.", width=12),
            Panel("timeseries", "Scans and temporary tables", "ops",
                  (q(f"rate(mysql_global_status_select_scan{{{M}}}[$__rate_interval])", "full scans"),
                   q(f"rate(mysql_global_status_select_full_join{{{M}}}[$__rate_interval])", "joins without index"),
                   q(f"rate(mysql_global_status_created_tmp_disk_tables{{{M}}}[$__rate_interval])",
                     "temporary tables on disk")), width=12),
        )),
        Row("InnoDB", (
            Panel("timeseries", "Buffer pool pages", "short",
                  (q(f"mysql_global_status_buffer_pool_pages{{{M}}}", "{{state}}"),), width=8, stacked=True),
            Panel("timeseries", "Buffer pool reads", "ops",
                  (q(f"rate(mysql_global_status_innodb_buffer_pool_read_requests{{{M}}}[$__rate_interval])",
                     "logical reads"),
                   q(f"rate(mysql_global_status_innodb_buffer_pool_reads{{{M}}}[$__rate_interval])", "from disk")),
                  width=8),
            Panel("timeseries", "Row locks", "short",
                  (q(f"rate(mysql_global_status_innodb_row_lock_waits{{{M}}}[$__rate_interval])", "waits/s"),
                   q(f"mysql_global_status_innodb_row_lock_current_waits{{{M}}}", "waiting now")), width=8),
            Panel("timeseries", "Data I/O", "Bps",
                  (q(f"rate(mysql_global_status_innodb_data_read{{{M}}}[$__rate_interval])", "read"),
                   q(f"rate(mysql_global_status_innodb_data_written{{{M}}}[$__rate_interval])", "written")),
                  width=12),
            Panel("timeseries", "Redo log", "ops",
                  (q(f"rate(mysql_global_status_innodb_log_writes{{{M}}}[$__rate_interval])", "writes"),
                   q(f"rate(mysql_global_status_innodb_log_waits{{{M}}}[$__rate_interval])",
                     "waits (log buffer full)")),
                  width=12),
        )),
        Row("Replication", (
            Panel("stat", "Replica threads running", "short",
                  (q(f"mysql_slave_status_slave_io_running{{{M}}}", "I/O thread"),
                   q(f"mysql_slave_status_slave_sql_running{{{M}}}", "SQL thread")), width=8, mappings=BOOL_MAPPING,
                  thresholds=(("red", None), ("green", 1))),
            Panel("timeseries", "Replication lag", "s",
                  (q(f"mysql_slave_status_seconds_behind_master{{{M}}}", "{{channel_name}} behind source"),),
                  "Empty on a server that is not a replica.", width=16, thresholds=amber_red(30, 300)),
        )),
    ),
    links=(Link("Service overview", "suite-overview"), Link("Exporters' health", "suite-exporters")),
)

# --- Applications -------------------------------------------------------------------------------------------
A = 'job="$job",route=~"$route"'
APP = Dashboard(
    "suite-app", "Applications", "Instrumented app",
    "An app instrumented with app_instrumentation: rate, errors and latency by route template, requests in flight. "
    "Objectives: 99.5% of requests succeed, p90 under 250 ms.",
    (Variable("job", "Service", "label_values(http_requests_total, job)"),
     Variable("route", "Route", 'label_values(http_requests_total{job="$job"}, route)', include_all=True)),
    (
        Row("Service level", (
            Panel("stat", "Requests per second", "reqps",
                  (q(f"sum(rate(http_requests_total{{{A}}}[$__rate_interval]))"),), width=6, height=5),
            Panel("stat", "5xx ratio", "percentunit",
                  (q(f'(sum(rate(http_requests_total{{{A},status=~"5.."}}[$__rate_interval])) or vector(0)) '
                     f"/ sum(rate(http_requests_total{{{A}}}[$__rate_interval]))"),),
                  "Objective: at most 0.5%.", width=6, height=5, thresholds=red_from(ERROR_BUDGET)),
            Panel("stat", "Latency p90", "s",
                  (q(f"histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{{{A}}}"
                     "[$__rate_interval])))"),),
                  "Objective: under 250 ms.", width=6, height=5, thresholds=red_from(LATENCY_OBJECTIVE_SECONDS)),
            Panel("stat", "Requests in flight", "short",
                  (q(f"sum(http_requests_in_progress{{{A}}})"),),
                  "Requests being served at the last scrape (http_requests_in_progress, summed over workers).",
                  width=6, height=5),
        )),
        Row("Rate", (
            Panel("timeseries", "Requests by route", "reqps",
                  (q(f"sum by (route) (rate(http_requests_total{{{A}}}[$__rate_interval]))", "{{route}}"),), width=12),
            Panel("timeseries", "Requests by status", "reqps",
                  (q(f"sum by (status) (rate(http_requests_total{{{A}}}[$__rate_interval]))", "{{status}}"),),
                  width=12, stacked=True),
        )),
        Row("Errors", (
            Panel("timeseries", "5xx ratio by route", "percentunit",
                  (q(f'sum by (route) (rate(http_requests_total{{{A},status=~"5.."}}[$__rate_interval])) / '
                     f"sum by (route) (rate(http_requests_total{{{A}}}[$__rate_interval]))", "{{route}}"),),
                  "Routes that answered 5xx in the period; the line is the 0.5% objective.", width=12,
                  thresholds=red_from(ERROR_BUDGET), threshold_lines=True, minimum=0),
            Panel("timeseries", "4xx ratio by route", "percentunit",
                  (q(f'sum by (route) (rate(http_requests_total{{{A},status=~"4.."}}[$__rate_interval])) / '
                     f"sum by (route) (rate(http_requests_total{{{A}}}[$__rate_interval]))", "{{route}}"),),
                  "Client errors (refused logins, unknown ids).", width=12, minimum=0),
        )),
        Row("Latency", (
            Panel("timeseries", "Latency quantiles", "s",
                  tuple(q(f"histogram_quantile({quantile}, sum by (le) (rate(http_request_duration_seconds_bucket"
                          f"{{{A}}}[$__rate_interval])))", f"p{round(quantile * 100)}")
                        for quantile in (0.5, 0.9, 0.99)),
                  "The line is the objective for p90: 250 ms.", width=12,
                  thresholds=red_from(LATENCY_OBJECTIVE_SECONDS), threshold_lines=True, minimum=0),
            Panel("timeseries", "Latency p90 by route", "s",
                  (q(f"histogram_quantile(0.9, sum by (route, le) (rate(http_request_duration_seconds_bucket{{{A}}}"
                     "[$__rate_interval])))", "{{route}}"),), width=12,
                  thresholds=red_from(LATENCY_OBJECTIVE_SECONDS), threshold_lines=True, minimum=0),
            Panel("timeseries", "Requests within 250 ms", "percentunit",
                  (q(f'sum by (route) (rate(http_request_duration_seconds_bucket{{{A},le="0.25"}}[$__rate_interval])) '
                     f"/ sum by (route) (rate(http_request_duration_seconds_count{{{A}}}[$__rate_interval]))",
                     "{{route}}"),),
                  "The line is the objective: 90%.", width=12, thresholds=(("red", None), ("green", 0.9)),
                  threshold_lines=True, minimum=0, maximum=1),
            Panel("timeseries", "Requests in flight by route", "short",
                  (q(f"sum by (route) (http_requests_in_progress{{{A}}})", "{{route}}"),),
                  "Requests being served at each scrape, by the route template known when they started "
                  "(http_requests_in_progress).", width=12),
        )),
        Row("The demo app's own metrics", (
            Panel("timeseries", "Logins by result", "ops",
                  (q('sum by (result) (rate(logins_total{job="$job"}[$__rate_interval]))', "{{result}}"),), width=12),
            Panel("timeseries", "Order look-up p90", "s",
                  (q('histogram_quantile(0.9, sum by (source, le) (rate(order_lookup_seconds_bucket{job="$job"}'
                     '[$__rate_interval])))', "{{source}}"),), width=12),
        )),
    ),
    links=(Link("Service overview", "suite-overview"), Link("Test environment health", "suite-test-env")),
)

# --- Test Environment (QA) ----------------------------------------------------------------------------------
TEST_ENV = Dashboard(
    "suite-test-env", "Test Environment", "Test environment health",
    "For QA: is the test environment up, healthy and quiet before and during a test run?",
    (Variable("job", "Job", "label_values(up, job)", include_all=True),),
    (
        Row("Is it up?", (
            Panel("stat", "Targets down", "short", (q('count(up{job=~"$job"} == 0) or vector(0)'),), width=4,
                  height=5, thresholds=red_from(1)),
            Panel("table", "Targets", "short", (q('up{job=~"$job"}', "Up"),), width=10, height=5,
                  mappings=UP_MAPPING, thresholds=(("red", None), ("green", 1))),
            Panel("table", "Alerts", "short", (q("sum by (alertname, severity, alertstate) (ALERTS)", "Alerts"),),
                  "Pending and firing alerts.", width=10, height=5),
        )),
        Row("Apps under test", (
            Panel("timeseries", "5xx ratio", "percentunit",
                  (q('sum by (job) (rate(http_requests_total{status=~"5.."}[$__rate_interval])) / '
                     "sum by (job) (rate(http_requests_total[$__rate_interval]))", "{{job}}"),),
                  width=8, thresholds=red_from(ERROR_BUDGET), threshold_lines=True, minimum=0,
                  links=(("Instrumented app", drill("suite-app", "app", job="${__field.labels.job}")),)),
            Panel("timeseries", "Latency p90", "s", (q("job:http_request_duration_seconds:p90_5m", "{{job}}"),),
                  width=8, thresholds=red_from(LATENCY_OBJECTIVE_SECONDS), threshold_lines=True, minimum=0),
            Panel("timeseries", "Requests by route", "reqps", (q("job:http_requests:rate5m", "{{job}} {{route}}"),),
                  width=8),
        )),
        Row("Kubernetes test workload", (
            Panel("stat", "Containers crash-looping", "short",
                  (q('sum(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) or vector(0)'),),
                  width=6, thresholds=red_from(1)),
            Panel("timeseries", "Container restarts (1 h) by namespace", "short",
                  (q("namespace:kube_pod_container_status_restarts:increase1h", "{{namespace}}"),), width=9,
                  links=NAMESPACE_LINK),
            Panel("timeseries", "Unavailable replicas", "short",
                  (q("kube_deployment_status_replicas_unavailable", "{{namespace}}/{{deployment}}"),), width=9,
                  thresholds=red_from(1)),
        )),
        Row("Database under test", (
            Panel("stat", "MySQL up", "short", (q("mysql_up", "{{instance}}"),), width=6, mappings=UP_MAPPING,
                  thresholds=(("red", None), ("green", 1))),
            Panel("timeseries", "Queries per second", "qps", (q("instance:mysql_queries:rate5m", "{{instance}}"),),
                  width=9),
            Panel("timeseries", "Slow queries", "ops",
                  (q("rate(mysql_global_status_slow_queries[$__rate_interval])", "{{instance}}"),), width=9),
        )),
    ),
    links=(Link("Instrumented app", "suite-app"), Link("Cluster", "suite-cluster"), Link("MySQL", "suite-mysql")),
)

DASHBOARDS: tuple[Dashboard, ...] = (OVERVIEW, HOSTS, HOST, EXPORTERS, CLUSTER, NAMESPACE, POD, MYSQL, APP, TEST_ENV)


# --- rendering ----------------------------------------------------------------------------------------------
def render_thresholds(steps: tuple[tuple[str, float | None], ...]) -> dict:
    return {"mode": "absolute", "steps": [{"color": colour, "value": value} for colour, value in steps]}


def render_mappings(mappings: tuple[tuple[str, str, str], ...]) -> list[dict]:
    if not mappings:
        return []
    return [{"type": "value", "options": {value: {"text": text, "color": colour, "index": index}
                                          for index, (value, text, colour) in enumerate(mappings)}}]


def render_targets(panel: Panel) -> list[dict]:
    instant = panel.kind != "timeseries"
    targets = []
    for index, query in enumerate(panel.queries):
        target = {"refId": chr(ord("A") + index), "datasource": DATASOURCE, "expr": query.expr,
                  "legendFormat": query.legend or "__auto", "range": not instant, "instant": instant}
        if panel.kind == "table":
            target["format"] = "table"
        targets.append(target)
    return targets


def table_parts(panel: Panel) -> tuple[list[dict], list[dict]]:
    """Merge the instant queries into one table, name each value column after its query's legend, units and links
    per column."""
    renames = {("Value" if len(panel.queries) == 1 else f"Value #{chr(ord('A') + index)}"): query.legend or "Value"
               for index, query in enumerate(panel.queries)}
    transformations = [{"id": "merge", "options": {}},
                       {"id": "organize", "options": {"excludeByName": {"Time": True, "__name__": True},
                                                      "indexByName": {}, "renameByName": renames}}]
    overrides = [{"matcher": {"id": "byName", "options": column}, "properties": [{"id": "unit", "value": unit}]}
                 for column, unit in panel.column_units]
    overrides += [{"matcher": {"id": "byName", "options": column},
                   "properties": [{"id": "links", "value": [{"title": title, "url": url}]}]}
                  for column, title, url in panel.column_links]
    overrides += [{"matcher": {"id": "byName", "options": column},
                   "properties": [{"id": "custom.displayMode", "value": "color-text"},
                                  {"id": "mappings", "value": render_mappings(panel.mappings)}]}
                  for column in panel.coloured_columns]
    return transformations, overrides


def render_panel(panel: Panel, panel_id: int, x: int, y: int) -> dict:
    defaults: dict = {"unit": panel.unit, "thresholds": render_thresholds(panel.thresholds),
                      "mappings": render_mappings(panel.mappings), "color": {"mode": "thresholds"},
                      "links": [{"title": title, "url": url} for title, url in panel.links]}
    if panel.minimum is not None:
        defaults["min"] = panel.minimum
    if panel.maximum is not None:
        defaults["max"] = panel.maximum
    rendered = {"id": panel_id, "type": panel.kind, "title": panel.title, "description": panel.description,
                "datasource": DATASOURCE, "gridPos": {"h": panel.height, "w": panel.width, "x": x, "y": y},
                "targets": render_targets(panel)}
    reduce = {"calcs": ["lastNotNull"], "fields": "", "values": False}
    overrides: list[dict] = []
    if panel.kind == "timeseries":
        defaults["color"] = {"mode": "palette-classic"}
        defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 25 if panel.stacked else 10,
                              "showPoints": "never", "spanNulls": False,
                              "stacking": {"mode": "normal" if panel.stacked else "none", "group": "A"},
                              "thresholdsStyle": {"mode": "line" if panel.threshold_lines else "off"}}
        rendered["options"] = {"legend": {"displayMode": "list", "placement": "bottom", "calcs": []},
                               "tooltip": {"mode": "multi", "sort": "desc"}}
    elif panel.kind == "stat":
        rendered["options"] = {"reduceOptions": reduce, "colorMode": "background", "graphMode": "area",
                               "justifyMode": "auto", "orientation": "auto", "textMode": panel.text_mode}
    elif panel.kind == "gauge":
        rendered["options"] = {"reduceOptions": reduce, "orientation": "auto", "showThresholdLabels": False,
                               "showThresholdMarkers": True}
    elif panel.kind == "bargauge":
        rendered["options"] = {"reduceOptions": reduce, "orientation": "horizontal", "displayMode": "gradient",
                               "showUnfilled": True}
    elif panel.kind == "table":
        whole = not panel.coloured_columns and (panel.thresholds[1:] or panel.mappings)
        defaults["custom"] = {"align": "auto", "displayMode": "color-text" if whole else "auto"}
        if panel.coloured_columns:
            defaults["mappings"] = []
        rendered["options"] = {"showHeader": True, "footer": {"show": False, "reducer": ["sum"], "fields": ""}}
        rendered["transformations"], overrides = table_parts(panel)
    else:
        raise ValueError(f"unknown panel kind {panel.kind!r}")
    rendered["fieldConfig"] = {"defaults": defaults, "overrides": overrides}
    return rendered


def render_variable(variable: Variable) -> dict:
    rendered = {"type": "query", "name": variable.name, "label": variable.label, "datasource": DATASOURCE,
                "definition": variable.query, "query": {"query": variable.query, "refId": "StandardVariableQuery"},
                "refresh": 2, "sort": 1, "regex": "", "hide": 0, "skipUrlSync": False, "options": [], "current": {},
                "multi": variable.include_all, "includeAll": variable.include_all}
    if variable.include_all:
        rendered["allValue"] = ".*"
        rendered["current"] = {"selected": True, "text": ["All"], "value": ["$__all"]}
    return rendered


DATASOURCE_VARIABLE = {"type": "datasource", "name": "datasource", "label": "Data source", "query": "prometheus",
                       "current": {"selected": False, "text": "Prometheus", "value": "prometheus"}, "regex": "",
                       "refresh": 1, "hide": 0, "skipUrlSync": False, "options": [], "multi": False,
                       "includeAll": False}


def render_link(link: Link) -> dict:
    return {"title": link.title, "type": "link", "url": f"/d/{link.uid}/{link.uid.removeprefix('suite-')}",
            "icon": "dashboard", "tooltip": "", "keepTime": True, "includeVars": link.include_vars,
            "asDropdown": False, "targetBlank": False, "tags": []}


SUITE_MENU = {"title": "Exporter suite", "type": "dashboards", "tags": ["exporter-suite"], "asDropdown": True,
              "icon": "external link", "keepTime": True, "includeVars": False, "targetBlank": False, "tooltip": "",
              "url": ""}


def dashboard(board: Dashboard) -> dict:
    """The dashboard JSON: one row panel per row, its panels laid out left to right, wrapping at 24 columns."""
    panels: list[dict] = []
    y = 0
    next_id = 1
    for row in board.rows:
        panels.append({"id": next_id, "type": "row", "title": row.title, "collapsed": False, "panels": [],
                       "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y}})
        next_id += 1
        y += 1
        x = line_height = 0
        for panel in row.panels:
            if x + panel.width > GRID_WIDTH:
                x, y, line_height = 0, y + line_height, 0
            panels.append(render_panel(panel, next_id, x, y))
            next_id += 1
            x += panel.width
            line_height = max(line_height, panel.height)
        y += line_height
    return {
        "uid": board.uid, "title": board.title, "description": board.description,
        "tags": ["exporter-suite", board.folder.lower().replace(" ", "-"), *board.tags],
        "timezone": "browser", "schemaVersion": SCHEMA_VERSION, "version": 1, "editable": board.editable,
        "graphTooltip": 1, "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [DATASOURCE_VARIABLE, *map(render_variable, board.variables)]},
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                  "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                  "name": "Annotations & Alerts", "type": "dashboard"}]},
        "links": [*map(render_link, board.links), SUITE_MENU], "panels": panels,
    }


def write_all(root: Path = HERE / "dashboards") -> list[Path]:
    written = []
    for board in DASHBOARDS:
        directory = root / board.folder
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / board.file_name
        path.write_text(json.dumps(dashboard(board), indent=2) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_all():
        print(written_path)
