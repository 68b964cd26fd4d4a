"""Infrastructure, for DevOps: the hosts, one host, the exporters' own health."""

from __future__ import annotations

from .model import (
    BOOL_MAPPING,
    REAL_FS,
    UP_MAPPING,
    UP_THRESHOLDS,
    Dashboard,
    Link,
    Panel,
    Row,
    Variable,
    amber_red,
    drill,
    q,
    red_from,
)

ON_HOSTS = 'job="$job",instance=~"$instance"'
HOST_LINK = (("Host detail", drill("suite-host", "host", job="$job", instance="${__field.labels.instance}")),)

HOSTS = Dashboard(
    "suite-hosts", "Infrastructure", "Hosts",
    "Every host of a node exporter job; click a host for its detail.",
    (Variable("job", "Job", "label_values(node_uname_info, job)"),
     Variable("instance", "Instance", 'label_values(node_uname_info{job="$job"}, instance)', include_all=True)),
    (
        Row("Fleet", (
            Panel("stat", "Hosts up", "short", (q(f"sum(up{{{ON_HOSTS}}}) or vector(0)"),), width=4, height=6,
                  thresholds=UP_THRESHOLDS),
            Panel("stat", "Hosts down", "short", (q(f"count(up{{{ON_HOSTS}}} == 0) or vector(0)"),), width=4, height=6,
                  thresholds=red_from(1)),
            Panel("table", "Hosts", "percentunit",
                  (q(f"max by (job, instance) (instance:node_cpu_utilisation:rate5m{{{ON_HOSTS}}})", "CPU"),
                   q(f"max by (job, instance) (instance:node_memory_utilisation:ratio{{{ON_HOSTS}}})", "Memory"),
                   q(f"max by (job, instance) (1 - node_filesystem_avail_bytes{{{ON_HOSTS},{REAL_FS}}} "
                     f"/ node_filesystem_size_bytes{{{ON_HOSTS},{REAL_FS}}})", "Fullest filesystem"),
                   q(f"max by (job, instance) (time() - node_boot_time_seconds{{{ON_HOSTS}}})", "Uptime")),
                  "One row per host: click the instance for its detail.", width=16, height=6,
                  thresholds=amber_red(0.8, 0.9), column_units=(("Uptime", "dtdurations"),),
                  coloured_columns=("CPU", "Memory", "Fullest filesystem"),
                  column_links=(("instance", "Host detail",
                                 drill("suite-host", "host", job="${__data.fields.job}",
                                       instance="${__data.fields.instance}")),)),
        )),
        Row("CPU and memory", (
            Panel("timeseries", "CPU utilisation", "percentunit",
                  (q(f"instance:node_cpu_utilisation:rate5m{{{ON_HOSTS}}}", "{{instance}}"),), width=8,
                  thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1, links=HOST_LINK),
            Panel("timeseries", "Memory utilisation", "percentunit",
                  (q(f"instance:node_memory_utilisation:ratio{{{ON_HOSTS}}}", "{{instance}}"),), width=8,
                  thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1, links=HOST_LINK),
            Panel("timeseries", "Load per CPU (1 m)", "short",
                  (q(f'node_load1{{{ON_HOSTS}}} / on (job, instance) count by (job, instance) '
                     f'(node_cpu_seconds_total{{{ON_HOSTS},mode="idle"}})', "{{instance}}"),),
                  "Above 1 the runnable tasks outnumber the CPUs.", width=8, thresholds=amber_red(1, 2),
                  links=HOST_LINK),
        )),
        Row("Disks and network", (
            Panel("timeseries", "Fullest filesystem", "percentunit",
                  (q(f"max by (instance) (1 - node_filesystem_avail_bytes{{{ON_HOSTS},{REAL_FS}}} "
                     f"/ node_filesystem_size_bytes{{{ON_HOSTS},{REAL_FS}}})", "{{instance}}"),),
                  width=8, thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1, links=HOST_LINK),
            Panel("timeseries", "Busiest disk", "percentunit",
                  (q(f"max by (instance) (rate(node_disk_io_time_seconds_total{{{ON_HOSTS}}}[$__rate_interval]))",
                     "{{instance}}"),), "Share of time the busiest device had I/O in flight.", width=8,
                  thresholds=amber_red(0.8, 0.95), minimum=0, links=HOST_LINK),
            Panel("timeseries", "Network traffic (all devices but lo)", "Bps",
                  (q(f"instance:node_network_receive_bytes:rate5m{{{ON_HOSTS}}}", "{{instance}} in"),
                   q(f"instance:node_network_transmit_bytes:rate5m{{{ON_HOSTS}}}", "{{instance}} out")),
                  width=8, links=HOST_LINK),
        )),
        Row("Saturation and errors (USE)", (
            Panel("timeseries", "Disk saturation (longest I/O queue)", "short",
                  (q(f"max by (instance) (rate(node_disk_io_time_weighted_seconds_total{{{ON_HOSTS}}}"
                     "[$__rate_interval]))", "{{instance}}"),),
                  "Average number of I/O requests in flight on the busiest device (weighted I/O time): above 1 "
                  "requests queue.", width=6, thresholds=amber_red(1, 4), links=HOST_LINK),
            Panel("timeseries", "Network saturation (drops)", "pps",
                  (q(f'sum by (instance) (rate(node_network_receive_drop_total{{{ON_HOSTS},device!="lo"}}'
                     f'[$__rate_interval]) + rate(node_network_transmit_drop_total{{{ON_HOSTS},device!="lo"}}'
                     "[$__rate_interval]))", "{{instance}}"),),
                  "Packets dropped in or out: queues full or no buffer.", width=6, thresholds=red_from(1),
                  links=HOST_LINK),
            Panel("timeseries", "Network errors", "pps",
                  (q(f'sum by (instance) (rate(node_network_receive_errs_total{{{ON_HOSTS},device!="lo"}}'
                     f'[$__rate_interval]) + rate(node_network_transmit_errs_total{{{ON_HOSTS},device!="lo"}}'
                     "[$__rate_interval]))", "{{instance}}"),),
                  "Receive and transmit errors of every device but lo.", width=6, thresholds=red_from(1),
                  links=HOST_LINK),
            Panel("timeseries", "Filesystems with device errors", "short",
                  (q(f"sum by (instance) (node_filesystem_device_error{{{ON_HOSTS},{REAL_FS}}})", "{{instance}}"),),
                  "Mounts the node exporter could not stat (a dead NFS server, a failing disk): 0 when all "
                  "answer.", width=6, thresholds=red_from(1), decimals=0, links=HOST_LINK),
        )),
    ),
    links=(Link("Service overview", "suite-overview"), Link("Host detail", "suite-host", include_vars=True),
           Link("Exporters' health", "suite-exporters")),
)

ON_HOST = 'job="$job",instance="$instance"'
HOST_FS = f"{ON_HOST},{REAL_FS}"
BY_MOUNT = "max by (mountpoint, device)"
READ_ONLY_MAPPING = (("1", "read-only", "orange"), ("0", "writable", "text"))
HOST = Dashboard(
    "suite-host", "Infrastructure", "Host",
    "One host in detail: CPU modes, memory, disk I/O, filesystems, network, pressure stall information, clock.",
    (Variable("job", "Job", "label_values(node_uname_info, job)"),
     Variable("instance", "Instance", 'label_values(node_uname_info{job="$job"}, instance)')),
    (
        Row("Summary", (
            Panel("stat", "Uptime", "dtdurations", (q(f"time() - node_boot_time_seconds{{{ON_HOST}}}"),), width=4,
                  height=4),
            Panel("stat", "CPUs", "short", (q(f'count(node_cpu_seconds_total{{{ON_HOST},mode="idle"}})'),),
                  width=3, height=4),
            Panel("stat", "Memory", "bytes", (q(f"node_memory_MemTotal_bytes{{{ON_HOST}}}"),), width=3, height=4),
            Panel("stat", "Kernel", "short", (q(f"node_uname_info{{{ON_HOST}}}", "{{release}}"),), width=5, height=4,
                  text_mode="name"),
            Panel("gauge", "CPU busy", "percentunit", (q(f"instance:node_cpu_utilisation:rate5m{{{ON_HOST}}}"),),
                  width=3, height=4, thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1),
            Panel("gauge", "Memory used", "percentunit", (q(f"instance:node_memory_utilisation:ratio{{{ON_HOST}}}"),),
                  width=3, height=4, thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1),
            Panel("gauge", "Root filesystem used", "percentunit",
                  (q(f'1 - node_filesystem_avail_bytes{{{ON_HOST},mountpoint="/"}} '
                     f'/ node_filesystem_size_bytes{{{ON_HOST},mountpoint="/"}}'),),
                  width=3, height=4, thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1),
        )),
        Row("CPU", (
            Panel("timeseries", "CPU time by busy mode", "percentunit",
                  (q(f'sum by (mode) (rate(node_cpu_seconds_total{{{ON_HOST},mode!="idle"}}[$__rate_interval])) '
                     f'/ scalar(count(node_cpu_seconds_total{{{ON_HOST},mode="idle"}}))', "{{mode}}"),),
                  "Share of all CPUs' time in each mode but idle (the rest of the stack up to 100%).", width=12,
                  stacked=True),
            Panel("timeseries", "Load average", "short",
                  (q(f"node_load1{{{ON_HOST}}}", "1 m"), q(f"node_load5{{{ON_HOST}}}", "5 m"),
                   q(f"node_load15{{{ON_HOST}}}", "15 m"),
                   q(f'count(node_cpu_seconds_total{{{ON_HOST},mode="idle"}})', "CPUs")), width=6),
            Panel("timeseries", "Context switches and interrupts", "ops",
                  (q(f"rate(node_context_switches_total{{{ON_HOST}}}[$__rate_interval])", "context switches"),
                   q(f"rate(node_intr_total{{{ON_HOST}}}[$__rate_interval])", "interrupts")), width=6),
        )),
        Row("Memory", (
            Panel("timeseries", "Memory", "bytes",
                  (q(f"node_memory_MemTotal_bytes{{{ON_HOST}}} - node_memory_MemAvailable_bytes{{{ON_HOST}}}", "used"),
                   q(f"node_memory_Cached_bytes{{{ON_HOST}}}", "page cache"),
                   q(f"node_memory_Buffers_bytes{{{ON_HOST}}}",
                                                                           "buffers"),
                   q(f"node_memory_MemFree_bytes{{{ON_HOST}}}", "free"),
                   q(f"node_memory_MemTotal_bytes{{{ON_HOST}}}", "total")),
                  width=12),
            Panel("timeseries", "Swap used", "bytes",
                  (q(f"node_memory_SwapTotal_bytes{{{ON_HOST}}} - node_memory_SwapFree_bytes{{{ON_HOST}}}", "used"),
                   q(f"node_memory_SwapTotal_bytes{{{ON_HOST}}}", "total")), width=6),
            Panel("timeseries", "Page faults and swapping", "ops",
                  (q(f"rate(node_vmstat_pgmajfault{{{ON_HOST}}}[$__rate_interval])", "major faults/s"),
                   q(f"rate(node_vmstat_pswpin{{{ON_HOST}}}[$__rate_interval]) + rate(node_vmstat_pswpout{{{ON_HOST}}}"
                     "[$__rate_interval])", "pages swapped/s")), width=6),
        )),
        Row("Disk I/O", (
            Panel("timeseries", "Throughput by device", "Bps",
                  (q(f"rate(node_disk_read_bytes_total{{{ON_HOST}}}[$__rate_interval])", "{{device}} read"),
                   q(f"rate(node_disk_written_bytes_total{{{ON_HOST}}}[$__rate_interval])", "{{device}} written")),
                  width=8),
            Panel("timeseries", "Operations by device", "iops",
                  (q(f"rate(node_disk_reads_completed_total{{{ON_HOST}}}[$__rate_interval])", "{{device}} reads"),
                   q(f"rate(node_disk_writes_completed_total{{{ON_HOST}}}[$__rate_interval])", "{{device}} writes")),
                  width=8),
            Panel("timeseries", "Time busy by device", "percentunit",
                  (q(f"rate(node_disk_io_time_seconds_total{{{ON_HOST}}}[$__rate_interval])", "{{device}}"),),
                  width=8, thresholds=amber_red(0.8, 0.95), minimum=0),
        )),
        Row("Filesystems", (
            Panel("table", "Filesystems", "bytes",
                  (q(f"{BY_MOUNT} (node_filesystem_size_bytes{{{HOST_FS}}})", "Size"),
                   q(f"{BY_MOUNT} (node_filesystem_avail_bytes{{{HOST_FS}}})", "Available"),
                   q(f"{BY_MOUNT} (1 - node_filesystem_avail_bytes{{{HOST_FS}}} / node_filesystem_size_bytes"
                     f"{{{HOST_FS}}})", "Used"),
                   q(f"{BY_MOUNT} (1 - node_filesystem_files_free{{{HOST_FS}}} / node_filesystem_files{{{HOST_FS}}})",
                     "Inodes used"),
                   q(f"{BY_MOUNT} (node_filesystem_readonly{{{HOST_FS}}})", "Read-only")),
                  "One row per mount point.", width=14, thresholds=amber_red(0.8, 0.9), mappings=READ_ONLY_MAPPING,
                  column_units=(("Used", "percentunit"), ("Inodes used", "percentunit"), ("Read-only", "short")),
                  coloured_columns=("Used", "Inodes used", "Read-only"),
                  column_order=("mountpoint", "Size", "Available", "Used", "Inodes used", "Read-only", "device")),
            Panel("timeseries", "Space used by mount point", "percentunit",
                  (q(f"1 - node_filesystem_avail_bytes{{{HOST_FS}}} / node_filesystem_size_bytes{{{HOST_FS}}}",
                     "{{mountpoint}}"),), width=10, thresholds=amber_red(0.8, 0.9), minimum=0, maximum=1),
        )),
        Row("Network", (
            Panel("timeseries", "Traffic by device", "Bps",
                  (q(f'rate(node_network_receive_bytes_total{{{ON_HOST},device!="lo"}}[$__rate_interval])',
                     "{{device}} in"),
                   q(f'rate(node_network_transmit_bytes_total{{{ON_HOST},device!="lo"}}[$__rate_interval])',
                     "{{device}} out")), width=8),
            Panel("timeseries", "Errors and drops", "pps",
                  (q(f"rate(node_network_receive_errs_total{{{ON_HOST}}}[$__rate_interval]) + "
                     f"rate(node_network_transmit_errs_total{{{ON_HOST}}}[$__rate_interval])", "{{device}} errors"),
                   q(f"rate(node_network_receive_drop_total{{{ON_HOST}}}[$__rate_interval]) + "
                     f"rate(node_network_transmit_drop_total{{{ON_HOST}}}[$__rate_interval])", "{{device}} drops")),
                  width=8),
            Panel("timeseries", "TCP", "short",
                  (q(f"node_netstat_Tcp_CurrEstab{{{ON_HOST}}}", "established"),
                   q(f"rate(node_netstat_Tcp_RetransSegs{{{ON_HOST}}}[$__rate_interval])", "retransmits/s"),
                   q(f"node_sockstat_TCP_tw{{{ON_HOST}}}", "time-wait")), width=8),
        )),
        Row("Pressure stall information", (
            Panel("timeseries", "Time waiting for a resource", "percentunit",
                  (q(f"rate(node_pressure_cpu_waiting_seconds_total{{{ON_HOST}}}[$__rate_interval])", "CPU (some)"),
                   q(f"rate(node_pressure_memory_waiting_seconds_total{{{ON_HOST}}}[$__rate_interval])",
                     "memory (some)"),
                   q(f"rate(node_pressure_io_waiting_seconds_total{{{ON_HOST}}}[$__rate_interval])", "I/O (some)")),
                  "Share of time at least one task waited (kernel PSI 'some').", width=12,
                  thresholds=amber_red(0.2, 0.5), minimum=0),
            Panel("timeseries", "Time stalled", "percentunit",
                  (q(f"rate(node_pressure_memory_stalled_seconds_total{{{ON_HOST}}}[$__rate_interval])",
                     "memory (full)"),
                   q(f"rate(node_pressure_io_stalled_seconds_total{{{ON_HOST}}}[$__rate_interval])", "I/O (full)")),
                  "Share of time every non-idle task was stalled (kernel PSI 'full').", width=12,
                  thresholds=amber_red(0.05, 0.2), minimum=0),
        )),
        Row("Clock", (
            Panel("stat", "Synchronised", "short", (q(f"node_timex_sync_status{{{ON_HOST}}}"),),
                  "The kernel's clock is synchronised (adjtimex).", width=4, height=6, mappings=BOOL_MAPPING,
                  thresholds=UP_THRESHOLDS),
            Panel("timeseries", "Clock offset and error", "s",
                  (q(f"node_timex_offset_seconds{{{ON_HOST}}}", "offset"),
                   q(f"node_timex_estimated_error_seconds{{{ON_HOST}}}", "estimated error"),
                   q(f"node_timex_maxerror_seconds{{{ON_HOST}}}", "maximum error")),
                  "From adjtimex(2): what the time daemon reports.", width=10, height=6, signed=True),
            Panel("timeseries", "Clock against Prometheus", "s",
                  (q(f"node_time_seconds{{{ON_HOST}}} - timestamp(node_time_seconds{{{ON_HOST}}})",
                     "host - Prometheus"),),
                  "Difference between the host's clock and the scrape time (includes scrape latency).",
                  width=6, height=6, thresholds=(("red", None), ("green", -0.05), ("red", 0.05)), signed=True),
            Panel("stat", "Clock source", "short",
                  (q(f"node_time_clocksource_current_info{{{ON_HOST}}}", "{{clocksource}}"),), width=4, height=6,
                  text_mode="name"),
        )),
    ),
    links=(Link("Hosts", "suite-hosts", include_vars=True), Link("Service overview", "suite-overview")),
)

ON_JOBS = 'job=~"$job"'
# 2 * (succeeded in the last day) - (succeeds now): 2 stopped, 1 works, 0 never worked here.
COLLECTOR_MAPPING = (("2", "Failing", "red"), ("1", "OK", "green"), ("0", "Nothing to read here", "text"))
EXPORTERS = Dashboard(
    "suite-exporters", "Infrastructure", "Exporters' health",
    "The exporters themselves: scrapes, collectors that fail, kube-state list/watch errors, MySQL scrape errors.",
    (Variable("job", "Job", "label_values(up, job)", include_all=True),),
    (
        Row("Scrapes", (
            Panel("table", "Targets", "short", (q(f"max by (job, instance) (up{{{ON_JOBS}}})", "Up"),), width=8,
                  mappings=UP_MAPPING, thresholds=UP_THRESHOLDS, coloured_columns=("Up",), column_sort=("Up", False),
                  column_order=("Up", "job", "instance")),
            Panel("timeseries", "Scrape duration", "s", (q(f"scrape_duration_seconds{{{ON_JOBS}}}",
                                                           "{{job}} {{instance}}"),),
                  width=8, thresholds=amber_red(1, 5), decimals=2),
            Panel("timeseries", "Samples per scrape", "short",
                  (q(f"scrape_samples_scraped{{{ON_JOBS}}}", "{{job}} {{instance}}"),), width=8),
        )),
        Row("Node exporter", (
            Panel("stat", "Collectors failing", "short",
                  (q(f"count(node_scrape_collector_success{{{ON_JOBS}}} == 0 and on (job, instance, collector) "
                     f"max_over_time(node_scrape_collector_success{{{ON_JOBS}}}[1d]) == 1) or vector(0)"),),
                  "Collectors that succeeded in the last day and fail now (what NodeExporterCollectorFailed alerts "
                  "on). A collector with nothing to read on a host (no such hardware) reports failure as Go's do "
                  "and is not counted.", width=4, thresholds=red_from(1)),
            Panel("table", "Collectors", "short",
                  (q(f"max by (job, instance, collector) (2 * max_over_time(node_scrape_collector_success{{{ON_JOBS}}}"
                     f"[1d]) - node_scrape_collector_success{{{ON_JOBS}}})", "Status"),),
                  "Failing first: a collector that succeeded in the last day and fails now; then those that work; "
                  "last those that never succeeded here (nothing to read: bonding, hwmon, zfs... on a host "
                  "without them).", width=8, mappings=COLLECTOR_MAPPING,
                  thresholds=(("text", None),), coloured_columns=("Status",), column_sort=("Status", True),
                  column_order=("Status", "collector", "instance", "job")),
            Panel("timeseries", "Slowest collectors", "s",
                  (q(f"topk(5, node_scrape_collector_duration_seconds{{{ON_JOBS}}})", "{{collector}}"),), width=12),
        )),
        Row("Kube-state exporter", (
            Panel("timeseries", "List and watch errors by resource", "short",
                  (q(f'sum by (resource) (increase(kube_state_metrics_list_total{{{ON_JOBS},result="error"}}'
                     f"[$__rate_interval])) or sum by (resource) (kube_state_metrics_list_total{{{ON_JOBS}}}) * 0",
                     "list {{resource}}"),
                   q(f'sum by (resource) (increase(kube_state_metrics_watch_total{{{ON_JOBS},result="error"}}'
                     f"[$__rate_interval])) or sum by (resource) (kube_state_metrics_watch_total{{{ON_JOBS}}}) * 0",
                     "watch {{resource}}")),
                  "Failed list and watch requests to the API server (0 for every resource when all is well).",
                  width=8, thresholds=red_from(1)),
            Panel("timeseries", "Watch events", "ops",
                  (q(f"sum by (resource) (rate(kube_state_metrics_watch_events_total{{{ON_JOBS}}}[$__rate_interval]))",
                     "{{resource}}"),), width=8),
            Panel("table", "Objects and last full list", "short",
                  (q(f"sum by (resource) (kube_state_metrics_objects{{{ON_JOBS}}})", "Objects"),
                   q(f"max by (resource) (kube_state_metrics_last_sync_timestamp_seconds{{{ON_JOBS}}}) * 1000",
                     "Last full list")),
                  "Objects in the store by resource, and when each was last listed whole (at start and after a "
                  "watch had to restart; between lists the watch keeps the store current).", width=8,
                  column_units=(("Last full list", "dateTimeAsIso"),)),
        )),
        Row("MySQL exporter", (
            Panel("stat", "MySQL reachable", "short", (q(f"mysql_up{{{ON_JOBS}}}", "{{instance}}"),), width=4,
                  mappings=UP_MAPPING, thresholds=UP_THRESHOLDS),
            Panel("timeseries", "Scrape errors by collector", "short",
                  (q(f"sum by (collector) (increase(mysql_exporter_scrape_errors_total{{{ON_JOBS}}}"
                     "[$__rate_interval])) "
                     f"or sum by (collector) (mysql_exporter_collector_duration_seconds{{{ON_JOBS}}}) * 0",
                     "{{collector}}"),
                   q(f"mysql_exporter_last_scrape_error{{{ON_JOBS}}}", "last scrape failed")),
                  "Scrapers that failed (a missing privilege, say): 0 for every collector when all is well.",
                  width=10, thresholds=red_from(1)),
            Panel("timeseries", "Collector durations", "s",
                  (q(f"mysql_exporter_collector_duration_seconds{{{ON_JOBS}}}", "{{collector}}"),), width=10),
        )),
        Row("Exporter processes", (
            Panel("timeseries", "Resident memory", "bytes",
                  (q(f"process_resident_memory_bytes{{{ON_JOBS}}}", "{{job}} {{instance}}"),), width=12),
            Panel("timeseries", "CPU", "percentunit",
                  (q(f"rate(process_cpu_seconds_total{{{ON_JOBS}}}[$__rate_interval])", "{{job}} {{instance}}"),),
                  "Share of one core.", width=12),
        )),
    ),
    links=(Link("Service overview", "suite-overview"), Link("Hosts", "suite-hosts")),
)
