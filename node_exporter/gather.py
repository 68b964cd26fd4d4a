"""The checks Go's registry makes when it gathers a scrape (client_golang Registry.Gather), for families from
several sources: textfiles, and every collector beside them.

The first series of a name fixes its HELP and TYPE. A later series under that name with another HELP or TYPE,
one whose labels were already served, or a new name that collides with a summary's or histogram's `_count`,
`_sum` or `_bucket` is dropped and logged; families of one name are merged into the first. So a textfile that
re-declares `node_load1` cannot put a second HELP line for it into the scrape.
"""

from __future__ import annotations

import logging

from prometheus_client.core import Metric

from exporter_toolkit.exposition import _TYPE_NAMES
from exporter_toolkit.families import Family

log = logging.getLogger("node_exporter")

_SUFFIXES = (("_count", ("summary", "histogram")), ("_sum", ("summary", "histogram")), ("_bucket", ("histogram",)))


def exposed_name(metric: Metric) -> str:
    """The name HELP and TYPE are written under, the family's name for Go."""
    if metric.type == "counter":
        return metric.sample_name if type(metric) is Family else metric.name + "_total"
    if metric.type == "info":
        return metric.name + "_info"
    return metric.name


def _go_type(metric: Metric) -> str:
    return _TYPE_NAMES.get(metric.type, "untyped")


def _special_label(go_type: str) -> str:
    return {"summary": "quantile", "histogram": "le"}.get(go_type, "")


def series_keys(metric: Metric) -> list[tuple]:
    """One key per sample: its labels, without `le`/`quantile` in a histogram/summary (Go's series identity)."""
    if type(metric) is Family:
        names = metric.label_names
        return [tuple(sorted(zip(names, values, strict=True))) for values, _ in metric.rows]
    special = _special_label(_go_type(metric))
    return [tuple(sorted((k, v) for k, v in sample.labels.items() if k != special)) for sample in metric.samples]


def _copy(metric: Metric) -> Metric:
    if type(metric) is Family:
        copied = Family(metric.name, metric.documentation, metric.type, metric.label_names, metric.sample_name)
        copied.rows = list(metric.rows)
        return copied
    copied = Metric(metric.name, metric.documentation, metric.type)
    copied.samples = list(metric.samples)
    return copied


class Gather:
    """Add families in the order Go would see their series; served() then says what each one became."""

    def __init__(self) -> None:
        self.first: dict[str, Metric] = {}  # by exposed name: what is served for it
        self.origin: dict[str, int] = {}  # by exposed name: id() of the family that came first
        self.keys: dict[str, set[tuple]] = {}

    def add(self, metric: Metric) -> None:
        name = exposed_name(metric)
        first = self.first.get(name)
        if first is None:
            clash = self._suffix_clash(name, _go_type(metric))
            if clash:
                log.error("metric dropped", extra={"metric": name, "err": clash})
                return
            self.first[name] = metric
            self.origin[name] = id(metric)
            return
        if first.documentation != metric.documentation or _go_type(first) != _go_type(metric):
            log.error("metric dropped", extra={
                "metric": name, "err": f"has help {metric.documentation!r} and type {_go_type(metric)} but "
                                       f"should have {first.documentation!r} and {_go_type(first)}"})
            return
        known = self.keys.get(name)
        if known is None:
            known = self.keys[name] = set(series_keys(first))
        if id(first) == self.origin[name]:
            first = _copy(first)  # a collector may keep its families between scrapes: merge into a copy
        self.first[name] = self._merge(first, metric, known)

    def served(self) -> dict[int, Metric]:
        """id() of each family added first under its name -> what to serve in its place; others are not served."""
        return {self.origin[name]: metric for name, metric in self.first.items()}

    def _suffix_clash(self, name: str, go_type: str) -> str:
        for suffix, types in _SUFFIXES:
            if name.endswith(suffix):
                base = self.first.get(name[:-len(suffix)])
                if base is not None and _go_type(base) in types:
                    return f"collides with {_go_type(base)} {base.name}"
        if go_type in ("summary", "histogram"):
            for suffix, types in _SUFFIXES:
                if go_type in types and name + suffix in self.first:
                    return f"{go_type} collides with {name + suffix}"
        return ""

    @staticmethod
    def _merge(first: Metric, other: Metric, known: set[tuple]) -> Metric:
        """`first` with the series of `other` not served yet (same name, HELP and TYPE)."""
        keys = series_keys(other)
        samples = other.samples
        fresh = [sample for sample, key in zip(samples, keys, strict=True) if key not in known]
        if len(fresh) != len(samples):
            log.error("metric dropped", extra={
                "metric": exposed_name(first),
                "err": f"{len(samples) - len(fresh)} series collected before with the same labels"})
        known.update(keys)
        if type(first) is Family:
            names = set(first.label_names)
            if all(sample.labels.keys() == names for sample in fresh):
                first.rows.extend((tuple(sample.labels[n] for n in first.label_names), sample.value)
                                  for sample in fresh)
                return first
            if first.type == "counter" and first.sample_name == first.name:
                # A counter without _total has no other form: its series get the union of label names ("" is
                # what Prometheus makes of a missing label anyway).
                widened = tuple(sorted(names.union(*(sample.labels for sample in fresh))))
                first.rows = [(tuple(dict(zip(first.label_names, row, strict=True)).get(n, "") for n in widened),
                               value) for row, value in first.rows]
                first.rows.extend((tuple(sample.labels.get(n, "") for n in widened), sample.value)
                                  for sample in fresh)
                first.label_names = widened
                return first
            generic = Metric(first.name, first.documentation, first.type)
            generic.samples = first.samples  # each series keeps its own label names, as Go serves them
            first = generic
        first.samples.extend(fresh)
        return first
