"""The queries of the committed Grafana dashboards, as Grafana would send them to Prometheus: variables replaced by
a value, Grafana's interval macros by durations. Shared by the parse check (tests/deploy/test_grafana.py) and the
end-to-end test against the local stack (tests/e2e/test_dashboard_queries.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

DASHBOARDS = REPO / "deploy" / "grafana" / "dashboards"
# What Grafana substitutes, for a 5 s scrape interval and a few minutes of history: $__rate_interval is at least
# four scrape intervals; $__range is the dashboard's time range (the stack has only minutes of data).
MACROS = {"$__rate_interval": "1m", "${__rate_interval}": "1m", "$__interval": "15s", "${__interval}": "15s",
          "$__range": "10m", "${__range}": "10m"}
LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?:(?P<selector>.+?)\s*,\s*)?(?P<label>[a-zA-Z_]\w*)\s*\)\s*$")


@dataclass(frozen=True)
class Target:
    dashboard: str  # uid
    panel: str
    ref_id: str
    expr: str
    instant: bool

    @property
    def name(self) -> str:
        return f"{self.dashboard} / {self.panel} / {self.ref_id}"


def boards() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(DASHBOARDS.rglob("*.json"))]


def board_files() -> list[Path]:
    return sorted(DASHBOARDS.rglob("*.json"))


def all_panels(board: dict) -> Iterator[dict]:
    """Every panel that is not a row, including those inside collapsed rows."""
    for panel in board["panels"]:
        if panel["type"] == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def panels(board: dict) -> Iterator[dict]:
    """Every panel that queries Prometheus (not a row, not a text panel)."""
    return (panel for panel in all_panels(board) if panel["type"] != "text")


def query_variables(board: dict) -> list[dict]:
    return [v for v in board["templating"]["list"] if v["type"] == "query"]


def variable_query(variable: dict) -> str:
    query = variable["query"]
    return query["query"] if isinstance(query, dict) else query


def parse_label_values(query: str) -> tuple[str | None, str]:
    """label_values(selector, label) or label_values(label): (selector or None, label)."""
    match = LABEL_VALUES.match(query)
    if match is None:
        raise ValueError(f"not a label_values query: {query!r}")
    return match["selector"], match["label"]


def substitute(text: str, values: dict[str, str]) -> str:
    """Replace the macros and `$name` / `${name}` (longest names first, so $job never eats $jobs)."""
    for macro, duration in MACROS.items():
        text = text.replace(macro, duration)
    for name in sorted(values, key=len, reverse=True):
        value = values[name]
        text = text.replace(f"${{{name}}}", value)
        text = re.sub(rf"\${name}(?!\w)", lambda _, value=value: value, text)
    return text


def targets(board: dict, values: dict[str, str]) -> list[Target]:
    found = []
    for panel in panels(board):
        for target in panel["targets"]:
            instant = bool(target.get("instant")) and not target.get("range")
            found.append(Target(board["uid"], panel["title"], target["refId"], substitute(target["expr"], values),
                                instant))
    return found


def first_values(board: dict, label_values: Callable[[str | None, str], list[str]]) -> dict[str, str]:
    """Each variable's first option in Grafana's order (All first when it is offered, else the values sorted as
    `sort: 1` sorts them), resolving later variables' queries with the earlier choices. `label_values(selector,
    label)` asks Prometheus; an empty answer raises, since the dashboard would then show nothing."""
    values: dict[str, str] = {}
    for variable in query_variables(board):
        selector, label = parse_label_values(substitute(variable_query(variable), values))
        options = sorted(label_values(selector, label))
        if not options:
            raise LookupError(f"{board['uid']}: variable {variable['name']} ({variable_query(variable)}) has no values")
        values[variable["name"]] = variable["allValue"] if variable.get("includeAll") else options[0]
    return values
