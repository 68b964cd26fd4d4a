"""Metric families for collectors that build hundreds of series per scrape.

`gauge()`, `counter()`, `raw_counter()` and `untyped()` return a `Family`: a prometheus_client `Metric` (so every
prometheus_client encoder, OpenMetrics included, renders it) that stores rows as (label values, value)
and skips the per-name validation of the stock *MetricFamily classes: names here are literals of our code.
The text renderer in exposition.py formats these rows without building Sample tuples at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client.core import Metric
from prometheus_client.samples import Sample


class Family(Metric):
    """A metric family with fixed label names; add_metric() as in prometheus_client's *MetricFamily."""

    def __init__(self, name: str, documentation: str, mtype: str, labels: Sequence[str] = (),
                 sample_name: str | None = None) -> None:
        # Metric.__init__ is skipped on purpose: it validates the name with a regex on every call.
        self.name = name
        self.documentation = documentation
        self.unit = ""
        self.type = mtype
        self.label_names = tuple(labels)
        self.sample_name = sample_name or name
        self.rows: list[tuple[Sequence[str], float]] = []

    def add_metric(self, label_values: Sequence[str], value: float) -> None:
        self.rows.append((label_values, value))

    @property
    def samples(self) -> list[Sample]:  # type: ignore[override]
        names = self.label_names
        return [Sample(self.sample_name, dict(zip(names, values, strict=True)), value, None, None)
                for values, value in self.rows]

    @samples.setter
    def samples(self, _value) -> None:  # Metric.__eq__ and copy helpers may assign; rows are the truth here
        raise AttributeError("Family.samples is derived from its rows")


def gauge(name: str, documentation: str, labels: Sequence[str] = (), value: float | None = None) -> Family:
    family = Family(name, documentation, "gauge", labels)
    if value is not None:
        family.rows.append(((), value))
    return family


def counter(name: str, documentation: str, labels: Sequence[str] = (), value: float | None = None) -> Family:
    """name may end in _total as in the exposition; the family is named without it, as prometheus_client does."""
    base = name[:-6] if name.endswith("_total") else name
    family = Family(base, documentation, "counter", labels, sample_name=base + "_total")
    if value is not None:
        family.rows.append(((), value))
    return family


def raw_counter(name: str, documentation: str, labels: Sequence[str] = (), value: float | None = None) -> Family:
    """A counter served under exactly `name`, no `_total` added: the Go exporters' bare-named counters
    (mysqld_exporter's `mysql_perf_schema_file_instances_bytes`, node_exporter's
    `node_supervisord_start_time_seconds`). The text format writes HELP, TYPE counter and samples under `name`,
    as Go's client does; OpenMetrics, where a counter's samples must end in `_total`, gets it typed `unknown`
    under the same name, as Go's OpenMetrics encoder does (see exposition.py). A name that does end in `_total`
    (a user's perf tracepoint, say) is an ordinary counter(): the bytes Go serves for it."""
    if name.endswith("_total"):
        return counter(name, documentation, labels, value)
    family = Family(name, documentation, "counter", labels, sample_name=name)
    if value is not None:
        family.rows.append(((), value))
    return family


def untyped(name: str, documentation: str, labels: Sequence[str] = (), value: float | None = None) -> Family:
    family = Family(name, documentation, "unknown", labels)
    if value is not None:
        family.rows.append(((), value))
    return family
