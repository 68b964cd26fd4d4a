"""The dashboards' model: what a dashboard, row, panel, query, variable and link are, and the shared pieces
(objectives, threshold steps, value mappings, drill-down links, the filesystem filter)."""

from __future__ import annotations

from dataclasses import dataclass, field

# The apps' objectives (the service-level issue): 99.5% of requests succeed, 90% are served within 250 ms.
SUCCESS_OBJECTIVE = 0.995
LATENCY_OBJECTIVE_SECONDS = 0.25
LATENCY_OBJECTIVE_RATIO = 0.9
ERROR_BUDGET = round(1 - SUCCESS_OBJECTIVE, 6)
SLOW_BUDGET = round(1 - LATENCY_OBJECTIVE_RATIO, 6)
NEUTRAL: tuple[tuple[str, float | None], ...] = (("text", None),)  # thresholds of a fact: no colour


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Panel:
    """kind: stat | gauge | bargauge | table | timeseries | text. Tables and single-value kinds ask for instant
    values. thresholds: (colour, from) steps, the first from None; NEUTRAL (the default) colours nothing, as a fact
    without good or bad (uptime, a version) should be. links: (title, url) data links. Time series start at 0
    unless `signed`; `soft_max` keeps an objective's threshold line on the chart."""

    kind: str
    title: str
    unit: str
    queries: tuple[Query, ...]
    description: str = ""
    width: int = 12
    height: int = 8
    thresholds: tuple[tuple[str, float | None], ...] = NEUTRAL
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
    column_sort: tuple[str, bool] | None = None  # table: (column, descending)
    column_order: tuple[str, ...] = ()  # table: these columns first, in this order
    series_colours: tuple[tuple[str, str], ...] = ()  # timeseries: (legend, colour) of a series with a meaning
    decimals: int | None = None
    soft_max: float | None = None
    signed: bool = False
    no_value: str = ""  # what to say instead of "No data"
    content: str = ""  # text: markdown


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


def orange_from(value: float) -> tuple[tuple[str, float | None], ...]:
    return (("green", None), ("orange", value))


def red_below(amber: float, green: float) -> tuple[tuple[str, float | None], ...]:
    return (("red", None), ("orange", amber), ("green", green))


def drill(uid: str, slug: str, **variables: str) -> str:
    """A data link to a lower level, keeping the time range and the data source."""
    params = "".join(f"&var-{name}={value}" for name, value in variables.items())
    return f"/d/{uid}/{slug}?${{__url_time_range}}&var-datasource=${{datasource}}{params}"


UP_MAPPING = (("1", "Up", "green"), ("0", "Down", "red"))
UP_THRESHOLDS = (("red", None), ("green", 1))  # with UP_MAPPING or BOOL_MAPPING: 0 red, 1 green
BOOL_MAPPING = (("1", "Yes", "green"), ("0", "No", "red"))
REAL_FS = 'fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|fuse.lxcfs"'
CORES = "suffix: cores"  # Grafana has no unit for CPU cores: a custom suffix
SEVERITY_COLOURS = (("critical", "red"), ("warning", "orange"))
# An alert's runbook section, from its name in a table row (the rules' runbook_url use the same base).
RUNBOOK_LINK = "https://github.com/exporter-suite/exporter-suite/blob/main/docs/runbooks.md#${__data.fields.alertname}"
