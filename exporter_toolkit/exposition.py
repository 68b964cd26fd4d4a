"""Rendering of metric families for /metrics, in text format 0.0.4 or OpenMetrics 1.0.

A lean re-statement of prometheus_client's two generate_latest functions for the families the exporters
build (valid names guaranteed, rows of a `Family` formatted without Sample tuples; `_created` series are
never written: they double every counter's series for no use by Prometheus 2.x, and Go does not emit them):
the same bytes two to four times faster, which is most of a node scrape's budget. One addition: a counter
`Family` whose samples do not end in `_total` (families.raw_counter(), for the Go exporters' bare-named counters)
is written under its bare name in text (TYPE counter, as Go) and typed `unknown` in OpenMetrics (as Go):
prometheus_client cannot express such a counter at all.
tests/unit/test_exposition.py holds both paths to byte equality with prometheus_client. Metrics that are
not a `Family` in OpenMetrics (histograms with exemplars, say) are handed to prometheus_client whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from math import isnan

from prometheus_client.core import Metric
from prometheus_client.openmetrics.exposition import CONTENT_TYPE_LATEST as OPENMETRICS_CONTENT_TYPE
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics_latest
from prometheus_client.registry import CollectorRegistry

from exporter_toolkit.families import Family

# Text format 0.0.4, as Go exporters announce it (newer prometheus_client releases say version=1.0.0).
TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_TYPE_NAMES = {"counter": "counter", "gauge": "gauge", "histogram": "histogram", "summary": "summary",
               "unknown": "untyped", "untyped": "untyped", "info": "gauge", "stateset": "gauge",
               "gaugehistogram": "histogram"}
_OM_ONLY_SUFFIXES = ("_created", "_gsum", "_gcount")
_INF, _NEG_INF = float("inf"), float("-inf")


def format_value(value: float) -> str:
    """Go's float formatting as prometheus_client does it: +Inf, -Inf, NaN, and exponents from 1e+07."""
    if value == _INF:
        return "+Inf"
    if value == _NEG_INF:
        return "-Inf"
    if isnan(value):
        return "NaN"
    text = repr(float(value))
    dot = text.find(".")
    if value > 0 and dot > 6:
        mantissa = f"{text[0]}.{text[1:dot]}{text[dot + 1:]}".rstrip("0.")
        return f"{mantissa}e+{dot - 1:02d}"
    return text


def escape_label_value(value: str) -> str:
    if "\\" in value or '"' in value or "\n" in value:
        return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
    return value


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    if len(labels) == 1:
        ((key, value),) = labels.items()
        return f'{{{key}="{escape_label_value(value)}"}}'
    return "{" + ",".join(f'{k}="{escape_label_value(v)}"' for k, v in sorted(labels.items())) + "}"


def _format_number(value: float) -> str:
    text = repr(float(value))
    if text in ("inf", "-inf", "nan") or (value > 0 and text.find(".") > 6):
        return format_value(value)
    return text


def _render_rows(family: Family, out: list[str]) -> None:
    """Sample lines of a Family: label order (sorted by name) worked out once, not once per row."""
    names = family.label_names
    name = family.sample_name
    if not names:
        out.extend(f"{name} {_format_number(value)}\n" for _, value in family.rows)
        return
    order = sorted(range(len(names)), key=names.__getitem__)
    keys = [f'{names[i]}="' for i in order]
    for values, value in family.rows:
        labels = '",'.join(key + escape_label_value(values[i]) for key, i in zip(keys, order, strict=True))
        out.append(f'{name}{{{labels}"}} {_format_number(value)}\n')


def render_family(metric: Metric, out: list[str]) -> None:
    """Append one family's HELP, TYPE and sample lines in text format 0.0.4."""
    mtype = metric.type
    name = metric.name
    if mtype == "counter":
        # A Family's counter samples are `<name>_total` (counter()) or the bare name (raw_counter(), Go's
        # counters named without _total): HELP and TYPE go under the sample name, as Go's text encoder writes.
        name = metric.sample_name if type(metric) is Family else name + "_total"
    elif mtype == "info":
        name += "_info"
    doc = metric.documentation
    if "\\" in doc or "\n" in doc:
        doc = doc.replace("\\", r"\\").replace("\n", r"\n")
    out.append(f"# HELP {name} {doc}\n# TYPE {name} {_TYPE_NAMES.get(mtype, 'untyped')}\n")
    if type(metric) is Family:
        _render_rows(metric, out)
        return
    skip = {metric.name + suffix for suffix in _OM_ONLY_SUFFIXES}
    for sample in metric.samples:
        if sample.name in skip:
            continue
        text = _format_number(sample.value)
        if sample.timestamp is not None:
            text += f" {int(float(sample.timestamp) * 1000):d}"
        out.append(f"{sample.name}{_labels(sample.labels)} {text}\n")


def render_text(metrics: Iterable[Metric]) -> bytes:
    out: list[str] = []
    for metric in metrics:
        render_family(metric, out)
    return "".join(out).encode()


class _One:
    """A one-metric 'registry' for prometheus_client's OpenMetrics encoder."""

    def __init__(self, metric: Metric) -> None:
        self.metric = metric

    def collect(self):
        return [self.metric]


def render_openmetrics(metrics: Iterable[Metric]) -> bytes:
    out: list[str] = []
    for metric in metrics:
        if type(metric) is not Family:
            out.append(openmetrics_latest(_One(metric)).decode()[: -len("# EOF\n")])
            continue
        doc = metric.documentation
        if "\\" in doc or "\n" in doc or '"' in doc:
            doc = doc.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
        mtype = metric.type
        if mtype == "counter" and not metric.sample_name.endswith("_total"):
            # OpenMetrics requires a counter's samples to end in _total; renaming would give the series a name
            # Go never serves, so a raw_counter() is typed `unknown` under its own name here, exactly what the
            # Go client's OpenMetrics encoder (prometheus/common expfmt) does with such a counter.
            mtype = "unknown"
        out.append(f"# HELP {metric.name} {doc}\n# TYPE {metric.name} {mtype}\n")
        _render_rows(metric, out)
    out.append("# EOF\n")
    return "".join(out).encode()


def wants_openmetrics(accept: str) -> bool:
    """Content negotiation as prometheus_client's choose_encoder does it."""
    for part in accept.split(","):
        media = part.split(";")[0].strip()
        if media == "application/openmetrics-text":
            return True
    return False


def render(metrics: Iterable[Metric], accept: str) -> tuple[str, bytes]:
    """(content type, body) in the format the scraper's Accept header asks for."""
    if wants_openmetrics(accept):
        return OPENMETRICS_CONTENT_TYPE, render_openmetrics(metrics)
    return TEXT_CONTENT_TYPE, render_text(metrics)


def registry_handler(registry: CollectorRegistry):
    """A ServerConfig.metrics callable rendering `registry` in the format the scraper asked for."""

    def handle(headers: Mapping[str, str], _query: dict[str, list[str]]) -> tuple[str, bytes]:
        return render(registry.collect(), headers.get("Accept", ""))

    return handle
