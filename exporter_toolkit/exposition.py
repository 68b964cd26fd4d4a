"""Rendering of metric families for /metrics, in text format 0.0.4 or OpenMetrics 1.0.

The encoders of prometheus_client, re-stated for speed, writing sample values as Go's client_golang does
(`1`, `-2e+06`; the one formatter and label escaper of the suite). No `_created` series (Go has none);
a counter `Family` not ending in `_total` (families.raw_counter()) is written under its bare name in text
and typed `unknown` in OpenMetrics, as Go. Metrics that are not a `Family` in OpenMetrics are handed to
prometheus_client whole, their sample values then rewritten Go's way. tests/unit/test_exposition.py pins
both paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from prometheus_client.core import Metric
from prometheus_client.openmetrics.exposition import generate_latest as openmetrics_latest
from prometheus_client.registry import CollectorRegistry

from exporter_toolkit.families import Family
from exporter_toolkit.memo import BoundedMemo

# The content types of /metrics, as the Go exporters announce them (newer prometheus_client releases say
# version=1.0.0 for text).
TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"
_TYPE_NAMES = {"counter": "counter", "gauge": "gauge", "histogram": "histogram", "summary": "summary",
               "unknown": "untyped", "untyped": "untyped", "info": "gauge", "stateset": "gauge",
               "gaugehistogram": "histogram"}
_OM_ONLY_SUFFIXES = ("_created", "_gsum", "_gcount")
# The stock metrics rendered here in OpenMetrics; names prometheus_client's encoder writes unchanged.
_PLAIN_TYPES = frozenset({"counter", "gauge", "unknown"})
_PLAIN_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_GO_SPECIAL = {1.0: "1", 0.0: "0", -1.0: "-1"}
_GO_SPECIAL_OPENMETRICS = {1.0: "1.0", 0.0: "0.0", -1.0: "-1.0"}
_GO_NON_FINITE = {"inf": "+Inf", "-inf": "-Inf", "nan": "NaN"}


def format_value(value: float) -> str:
    """A sample value as client_golang's text encoder writes it (expfmt writeFloat): 1, 0 and -1 literally,
    +Inf, -Inf, NaN, otherwise strconv.FormatFloat(v, 'g', -1, 64): the shortest digits that read back exactly,
    in exponent form (e+06, e-05) when the decimal exponent is below -4 or at least 6."""
    special = _GO_SPECIAL.get(value)
    if special is not None:
        return special
    text = repr(float(value))  # Python's repr has the same shortest digits; it switches to exponents at 1e16
    point = text.find(".")
    if point == -1:  # inf, nan, or an exponent without a point ("1e+16")
        return _GO_NON_FINITE.get(text, text)
    if point <= 6 + (text[0] == "-"):  # decimal exponent below 6 (repr already wrote exponents below 1e-4)
        return text[:-2] if text[-2:] == ".0" else text
    if "e" in text:
        return text
    sign = "-" if text[0] == "-" else ""
    whole = text[len(sign):point]
    digits = (whole + text[point + 1:]).rstrip("0")
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e+{len(whole) - 1:02d}"


def format_openmetrics_value(value: float) -> str:
    """A sample value as client_golang's OpenMetrics encoder writes it (writeOpenMetricsFloat): format_value's,
    with ".0" added to a number that has neither a "." nor an exponent."""
    special = _GO_SPECIAL_OPENMETRICS.get(value)
    if special is not None:
        return special
    text = repr(float(value))
    point = text.find(".")
    if point == -1:  # inf, nan, or an exponent without a point ("1e+16")
        return _GO_NON_FINITE.get(text, text)
    if point <= 6 + (text[0] == "-"):  # repr's own text: "5.0", "0.25", "1.5e+16"
        return text
    return format_value(value)  # a whole part of 7 digits or more: exponent form


def escape_label_value(value: str) -> str:
    """A label value as client_golang writes it: backslash, newline and double quote escaped."""
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


def _order_of(names: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """(`name="`, index in the row) for each label, sorted by name as Go writes them."""
    return tuple((f'{names[i]}="', i) for i in sorted(range(len(names)), key=names.__getitem__))


# Worked out once per label set; bounded, as label sets read from data (textfiles) must not pile up.
_label_orders = BoundedMemo(_order_of, 4096)


def _render_rows(family: Family, out: list[str], fmt: Callable[[float], str] = format_value) -> None:
    """Sample lines of a Family. Loops specialised for no label, one and two labels (most families here):
    one f-string per row, no generator; label values escaped only when they hold a character to escape."""
    names = family.label_names
    name = family.sample_name
    append = out.append
    if not names:
        for _, value in family.rows:
            append(f"{name} {fmt(value)}\n")
        return
    order = _label_orders[names]
    if len(order) == 1:
        prefix = f"{name}{{{order[0][0]}"
        for values, value in family.rows:
            if len(values) != 1:
                raise ValueError(f"{name}: {len(values)} label values for 1 label name")
            label = values[0]
            if "\\" in label or '"' in label or "\n" in label:
                label = escape_label_value(label)
            append(f'{prefix}{label}"}} {fmt(value)}\n')
        return
    if len(order) == 2:
        (first, i), (second, j) = order
        prefix = f"{name}{{{first}"
        middle = f'",{second}'
        for values, value in family.rows:
            if len(values) != 2:
                raise ValueError(f"{name}: {len(values)} label values for 2 label names")
            a, b = values[i], values[j]
            if "\\" in a or '"' in a or "\n" in a:
                a = escape_label_value(a)
            if "\\" in b or '"' in b or "\n" in b:
                b = escape_label_value(b)
            append(f'{prefix}{a}{middle}{b}"}} {fmt(value)}\n')
        return
    for values, value in family.rows:
        if len(values) != len(order):
            raise ValueError(f"{name}: {len(values)} label values for {len(order)} label names")
        labels = '",'.join([key + escape_label_value(values[i]) for key, i in order])
        append(f'{name}{{{labels}"}} {fmt(value)}\n')


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
        text = format_value(sample.value)
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


def _value_start(line: str) -> int:
    """Where a sample line's value begins: after the name and the label set (label values may hold spaces,
    braces and escaped quotes)."""
    brace, space = line.find("{"), line.find(" ")
    if brace == -1 or brace > space != -1:
        return space + 1
    index, quoted = brace + 1, False
    while index < len(line):
        char = line[index]
        if quoted and char == "\\":
            index += 1
        elif char == '"':
            quoted = not quoted
        elif char == "}" and not quoted:
            break
        index += 1
    return index + 2


def _with_go_values(text: str) -> str:
    """prometheus_client's OpenMetrics lines with each sample's value as Go writes it (timestamps and
    exemplars, after the value, stay as they are)."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line and line[0] != "#":
            start = _value_start(line)
            end = line.find(" ", start)
            end = len(line) if end == -1 else end
            lines[number] = line[:start] + format_openmetrics_value(float(line[start:end])) + line[end:]
    return "\n".join(lines)


def _openmetrics_doc(doc: str) -> str:
    if "\\" in doc or "\n" in doc or '"' in doc:
        return doc.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
    return doc


def _stock_openmetrics(metric: Metric) -> str | None:
    """A prometheus_client metric of a plain kind (counter, gauge, unknown; no unit, exemplar, timestamp or
    native histogram; names of letters, digits and _) as prometheus_client's OpenMetrics encoder writes it (labels
    sorted, values escaped) with Go's sample values; None for anything else, which goes to that encoder."""
    name = metric.name
    if metric.type not in _PLAIN_TYPES or metric.unit or not _PLAIN_NAME.fullmatch(name):
        return None
    lines = [f"# HELP {name} {_openmetrics_doc(metric.documentation)}\n# TYPE {name} {metric.type}\n"]
    for sample in metric.samples:
        if (sample.exemplar or sample.timestamp is not None or sample.native_histogram or sample.value is None
                or not _PLAIN_NAME.fullmatch(sample.name)):
            return None
        labels = ""
        if sample.labels:
            pairs = sorted(sample.labels.items())
            if not all(_PLAIN_NAME.fullmatch(key) for key, _ in pairs):
                return None
            labels = "{" + ",".join(f'{key}="{_openmetrics_doc(value)}"' for key, value in pairs) + "}"
        lines.append(f"{sample.name}{labels} {format_openmetrics_value(sample.value)}\n")
    return "".join(lines)


def render_openmetrics_family(metric: Metric, out: list[str]) -> None:
    """Append one family's HELP, TYPE and sample lines in OpenMetrics 1.0 (no `# EOF`)."""
    if type(metric) is not Family:
        text = _stock_openmetrics(metric)
        if text is None:
            text = _with_go_values(openmetrics_latest(_One(metric)).decode()[: -len("# EOF\n")])
        out.append(text)
        return
    doc = _openmetrics_doc(metric.documentation)
    mtype = metric.type
    if mtype == "counter" and not metric.sample_name.endswith("_total"):
        # OpenMetrics requires a counter's samples to end in _total; renaming would give the series a name
        # Go never serves, so a raw_counter() is typed `unknown` under its own name here, exactly what the
        # Go client's OpenMetrics encoder (prometheus/common expfmt) does with such a counter.
        mtype = "unknown"
    out.append(f"# HELP {metric.name} {doc}\n# TYPE {metric.name} {mtype}\n")
    _render_rows(metric, out, format_openmetrics_value)


def render_openmetrics(metrics: Iterable[Metric]) -> bytes:
    out: list[str] = []
    for metric in metrics:
        render_openmetrics_family(metric, out)
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


def render_stream(metrics: Iterable[Metric], accept: str) -> tuple[str, Iterator[bytes]]:
    """render() a family at a time: a chunk of bytes per family, taken from `metrics` only when the previous one
    is sent, so a large scrape is never whole in memory as text (the handler sends a streamed body chunked,
    gzip-compressed on the way)."""
    if wants_openmetrics(accept):
        return OPENMETRICS_CONTENT_TYPE, _chunks(metrics, render_openmetrics_family, b"# EOF\n")
    return TEXT_CONTENT_TYPE, _chunks(metrics, render_family, b"")


def _chunks(metrics: Iterable[Metric], render_one: Callable[[Metric, list[str]], None], end: bytes) -> Iterator[bytes]:
    for metric in metrics:
        out: list[str] = []
        render_one(metric, out)
        yield "".join(out).encode()
    if end:
        yield end


def registry_handler(registry: CollectorRegistry):
    """A ServerConfig.metrics callable rendering `registry` in the format the scraper asked for."""

    def handle(headers: Mapping[str, str], _query: dict[str, list[str]]) -> tuple[str, bytes]:
        return render(registry.collect(), headers.get("Accept", ""))

    return handle
