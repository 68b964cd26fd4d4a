"""Text exposition for the MySQL exporter: the toolkit's renderer, plus counters whose name does not end in
`_total`.

mysqld_exporter 0.14 serves some counters under their bare name (`mysql_perf_schema_events_statements_sum_errors`,
`mysql_info_schema_user_statistics_total_connections`, ...). prometheus_client, and the toolkit after it,
always writes a counter's HELP/TYPE as `<name>_total`, which would rename those families for every dashboard.
`raw_counter()` builds such a family and `render()` writes its HELP/TYPE under the bare name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from prometheus_client.core import Metric

from exporter_toolkit.exposition import TEXT_CONTENT_TYPE, render_family, wants_openmetrics
from exporter_toolkit.exposition import _render_rows as render_rows  # rows of a Family, as is
from exporter_toolkit.exposition import render as toolkit_render
from exporter_toolkit.families import Family


def raw_counter(name: str, documentation: str, labels: Sequence[str] = (), value: float | None = None) -> Family:
    """A counter served exactly as `name`, with no `_total` added (mysqld_exporter's bare-named counters)."""
    family = Family(name, documentation, "counter", labels, sample_name=name)
    if value is not None:
        family.rows.append(((), value))
    return family


def _is_raw_counter(metric: Metric) -> bool:
    return type(metric) is Family and metric.type == "counter" and metric.sample_name == metric.name


def render(metrics: Iterable[Metric], accept: str) -> tuple[str, bytes]:
    """(content type, body); OpenMetrics is the toolkit's (where every counter ends in _total anyway)."""
    if wants_openmetrics(accept):
        return toolkit_render(metrics, accept)
    out: list[str] = []
    for metric in metrics:
        if not _is_raw_counter(metric):
            render_family(metric, out)
            continue
        doc = metric.documentation
        if "\\" in doc or "\n" in doc:
            doc = doc.replace("\\", r"\\").replace("\n", r"\n")
        out.append(f"# HELP {metric.name} {doc}\n# TYPE {metric.name} counter\n")
        render_rows(metric, out)
    return TEXT_CONTENT_TYPE, "".join(out).encode()
