"""The collector interface, the single set of collectors, and the wrapper that times each one.

Like Go's node_exporter: every collector module registers its class once (`@register`); a collector declares
its name, default and flags on the class and its `update()` yields metric families. One collector failing only
sets its node_scrape_collector_success to 0.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.core import Metric
from prometheus_client.registry import Collector as PromCollector

from exporter_toolkit.collectors import CollectorSet, Unit
from exporter_toolkit.families import gauge
from node_exporter.gather import Gather
from node_exporter.paths import Paths

log = logging.getLogger(__name__)
# Families named from the data (meminfo fields, sysctl keys, ...) with a name Prometheus cannot read are dropped:
# one such line would make the whole scrape unparseable.
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


class NoDataError(Exception):
    """The collector has nothing to report on this host (e.g. no PSI in the kernel): success 0, logged at debug."""


@dataclass
class Context:
    """What a collector is built with: file locations and its own flags."""

    paths: Paths = field(default_factory=Paths)
    options: dict[str, Any] = field(default_factory=dict)


class Collector(Unit):
    """A node collector: `name` (and `enabled_by_default`, `help`, Option flags) on the class; built with the
    scrape's Context once, then `update()` yields the families of each scrape."""

    def __init__(self, ctx: Context) -> None:
        self.paths = ctx.paths

    def update(self) -> Iterator[Metric]:
        raise NotImplementedError


COLLECTORS = CollectorSet("collector", context_for_all=True)
register = COLLECTORS.register
register_variant = COLLECTORS.register_variant


class NodeCollector(PromCollector):
    """Runs the enabled collectors in turn and reports each one's duration and success."""

    def __init__(self, collectors: dict[str, Any]) -> None:
        self.collectors = collectors

    def collect(self) -> Iterator[Metric]:
        duration = gauge("node_scrape_collector_duration_seconds",
                                     "node_exporter: Duration of a collector scrape.", labels=["collector"])
        success = gauge("node_scrape_collector_success",
                                    "node_exporter: Whether a collector succeeded.", labels=["collector"])
        gathered: list[tuple[str, list[Metric]]] = []
        for name, collector in self.collectors.items():
            start = time.perf_counter()
            try:
                # Materialise first: a collector failing half way must not leave half its families behind.
                families = list(collector.update())
                ok = 1.0
                if any(not _METRIC_NAME.fullmatch(f.name) for f in families):
                    log.error("collector returned invalid metric names", extra={"collector": name, "names": ",".join(
                        f.name for f in families if not _METRIC_NAME.fullmatch(f.name))[:300]})
                    families = [f for f in families if _METRIC_NAME.fullmatch(f.name)]
            except NoDataError as exc:
                log.debug("collector returned no data", extra={"collector": name, "err": str(exc)})
                families, ok = [], 0.0
            except Exception as exc:
                log.error("collector failed", extra={"collector": name, "err": f"{type(exc).__name__}: {exc}"})
                families, ok = [], 0.0
            duration.add_metric([name], time.perf_counter() - start)
            success.add_metric([name], ok)
            gathered.append((name, families))
        gathered.append(("", [duration, success]))
        # Go's registry checks, textfile first (its series win, as they mostly do in Go's unordered gathering):
        # a textfile re-declaring another collector's metric must not give the scrape two HELP lines for it.
        gather = Gather()
        for _name, families in sorted(gathered, key=lambda item: item[0] != "textfile"):
            for metric in families:
                gather.add(metric)
        served = gather.served()
        for _name, families in gathered:
            yield from (served[id(metric)] for metric in families if id(metric) in served)
