"""Every Grafana dashboard against the local stack's real Prometheus: each template variable's label_values query
has values, and every panel query, with the first value of each variable substituted (as Grafana shows a dashboard
first opened), returns data. The few panels whose data this machine cannot produce are listed below with the
reason; their queries must still be accepted by Prometheus. The stack has no MySQL replica: the MySQL dashboard is
also evaluated whole against a Prometheus scraping a real GTID replica. Drill-down links, followed from what their
panel shows, open the next level on values its variables offer."""

from __future__ import annotations

import os
import re
import sys
import time

import pytest
import requests

from localstack.monitoring import start_prometheus
from localstack.stack import LocalStack
from testbed.harness import free_port, start_daemon, wait_for
from testbed.mariadb import make_replica, start_mariadb
from tests.conftest import REPO, require_binary, write_my_cnf
from tests.grafana_queries import (
    Target,
    boards,
    first_values,
    panels,
    parse_label_values,
    query_variables,
    substitute,
    targets,
    variable_query,
)

pytestmark = pytest.mark.e2e

# (dashboard uid, panel title) -> why the local stack has no data for it. The replication panels get their data in
# test_mysql_dashboard_on_a_replica instead.
REPLICATION_PANELS = {("suite-mysql", "Replica threads running"), ("suite-mysql", "Replication lag")}
NO_DATA_HERE = {("suite-mysql", "Replication lag"): "the stack's MariaDB is a primary without a replica"}
TIMEX_PANELS = {("suite-host", "Synchronised"), ("suite-host", "Clock offset and error")}
LINK_VARIABLE = re.compile(r"var-(\w+)=([^&]+)")
FIELD_REFERENCE = re.compile(r"\$\{__(?:field\.labels|data\.fields)\.(\w+)\}")
REPLICA_PASSWORD = "dashboard-replica"
DATA_DEADLINE = 240  # seconds: rates need two scrapes in their window, recording rules an evaluation


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    for name in ("prometheus", "prometheus-alertmanager", "mariadbd"):
        require_binary(name)
    local = LocalStack(tmp_path_factory.mktemp("dashboard-stack"), free_ports=True, backoff_base=1.0)
    local.start()
    yield local
    local.stop()


class Prometheus:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.session = requests.Session()

    def _get(self, path: str, params: dict) -> list | dict:
        body = self.session.get(f"{self.url}{path}", params=params, timeout=30).json()
        assert body["status"] == "success", (path, params, body)
        return body["data"]

    def query(self, expr: str) -> list[dict]:
        return self._get("/api/v1/query", {"query": expr})["result"]

    def evaluate(self, target: Target) -> list[dict]:
        """As Grafana asks: an instant query for stat/gauge/table panels, a range query (last 5 minutes at the
        dashboard's 15 s interval) for time series."""
        if target.instant:
            return self.query(target.expr)
        now = time.time()
        return self._get("/api/v1/query_range", {"query": target.expr, "start": now - 300, "end": now,
                                                 "step": 15})["result"]

    def label_values(self, selector: str | None, label: str) -> list[str]:
        """What Grafana's label_values() does: the series API for a selector, the label values API without."""
        if selector is None:
            return self._get(f"/api/v1/label/{label}/values", {})
        now = time.time()
        series = self._get("/api/v1/series", {"match[]": selector, "start": now - 3600, "end": now})
        return sorted({s[label] for s in series if label in s})


@pytest.fixture(scope="module")
def prometheus(stack) -> Prometheus:
    """The stack's Prometheus once every target is up and has been scraped a few times."""
    server = Prometheus(stack.ports["prometheus"])

    def scraped():
        targets_now = server._get("/api/v1/targets", {})["activeTargets"]
        counts = server.query("count_over_time(up[5m])")
        return (len(targets_now) == 5 and all(t["health"] == "up" for t in targets_now)
                and len(counts) == 5 and all(float(c["value"][1]) >= 4 for c in counts))

    wait_for(scraped, timeout=120, interval=2, what="every target up with four scrapes")
    return server


def exemptions(prometheus: Prometheus) -> dict[tuple[str, str], str]:
    """NO_DATA_HERE, plus the adjtimex panels when the node exporter of this build has no timex collector."""
    exempt = dict(NO_DATA_HERE)
    if not prometheus.query('node_scrape_collector_success{collector="timex"}'):
        exempt.update(dict.fromkeys(TIMEX_PANELS, "this node exporter build has no timex collector"))
    return exempt


def test_every_variable_has_values_and_every_panel_query_returns_data(prometheus):
    exempt = exemptions(prometheus)
    all_targets: list[Target] = []
    variables: dict[str, dict[str, str]] = {}
    for board in boards():
        values = wait_for(lambda board=board: first_values(board, prometheus.label_values), timeout=120, interval=3,
                          what=f"values for every variable of {board['uid']}")
        variables[board["uid"]] = values
        all_targets += targets(board, values)
    assert len(variables) == 10 and len(all_targets) > 150
    assert variables["suite-pod"]["namespace"] == "default" and variables["suite-host"]["job"] == "node"

    missing = {t.name: t for t in all_targets if (t.dashboard, t.panel) not in exempt}
    for target in all_targets:  # every query is accepted (Prometheus answers 400 to one it cannot parse)
        prometheus.evaluate(target)

    def remaining():
        for name, target in list(missing.items()):
            if prometheus.evaluate(target):
                del missing[name]
        return not missing

    try:
        wait_for(remaining, timeout=DATA_DEADLINE, interval=5, what="data for every dashboard query")
    except TimeoutError:
        pytest.fail("dashboard queries without data:\n" + "\n".join(f"{n}: {t.expr}" for n, t in missing.items()))
    # The exemptions stay honest: each names a panel that exists.
    panels = {(t.dashboard, t.panel) for t in all_targets}
    assert set(NO_DATA_HERE) | TIMEX_PANELS <= panels


def link_urls(panel: dict) -> list[str]:
    config = panel["fieldConfig"]
    urls = [link["url"] for link in config["defaults"].get("links", [])]
    return urls + [link["url"] for override in config["overrides"] for prop in override["properties"]
                   if prop["id"] == "links" for link in prop["value"]]


def test_drill_down_links_pass_values_the_next_level_offers(prometheus):
    """overview -> hosts -> host, cluster -> namespace -> pod, ...: every data link that carries variables, followed
    from the first row or series its panel shows, opens the next dashboard on values its variables offer."""
    by_uid = {board["uid"]: board for board in boards()}
    followed = set()
    for board in by_uid.values():
        values = first_values(board, prometheus.label_values)
        for panel in panels(board):
            for url in link_urls(panel):
                passed_templates = {k: v for k, v in LINK_VARIABLE.findall(url) if k != "datasource"}
                if not passed_templates:
                    continue
                rows = wait_for(lambda panel=panel, values=values: prometheus.query(
                    substitute(panel["targets"][0]["expr"], values)), timeout=60, interval=3,
                    what=f"data of {board['uid']} / {panel['title']}")
                labels = rows[0]["metric"]
                passed = {}
                for name, template in passed_templates.items():
                    field = FIELD_REFERENCE.fullmatch(template)
                    passed[name] = labels[field[1]] if field else substitute(template, values)
                target = by_uid[url.split("/")[2]]
                for variable in query_variables(target):
                    if variable["name"] in passed:
                        selector, label = parse_label_values(substitute(variable_query(variable), passed))
                        options = prometheus.label_values(selector, label)
                        assert passed[variable["name"]] in options, (board["uid"], panel["title"], url, options)
                followed.add((board["uid"], target["uid"]))
    assert {("suite-hosts", "suite-host"), ("suite-cluster", "suite-namespace"), ("suite-cluster", "suite-pod"),
            ("suite-namespace", "suite-pod"), ("suite-test-env", "suite-app")} <= followed, followed


@pytest.fixture(scope="module")
def replica_prometheus(tmp_path_factory) -> Prometheus:
    """A MariaDB primary and its GTID replica, our MySQL exporter on the replica, a Prometheus scraping it as job
    mysql every 2 s: what the MySQL dashboard shows for a replica."""
    require_binary("mariadbd")
    binary = require_binary("prometheus")
    work = tmp_path_factory.mktemp("replica")
    primary = start_mariadb(work / "primary", server_id=1)
    replica = start_mariadb(work / "replica", server_id=2)
    daemons = []
    try:
        make_replica(primary, replica)
        replica.create_exporter_user(REPLICA_PASSWORD)
        my_cnf = write_my_cnf(work / "my.cnf", replica, password=REPLICA_PASSWORD)
        port = free_port()
        daemons.append(start_daemon("mysql-exporter", [sys.executable, "-m", "mysql_exporter",
                                                       f"--config.my-cnf={my_cnf}",
                                                       f"--web.listen-address=127.0.0.1:{port}"],
                                    port, str(work / "mysql-exporter.log"), ready_path="/healthz", timeout=60,
                                    env={**os.environ, "PYTHONPATH": str(REPO)}))
        config = {"global": {"scrape_interval": "2s", "evaluation_interval": "2s"},
                  "scrape_configs": [{"job_name": "mysql", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}]}
        (work / "no-rules").mkdir()
        daemons.append(start_prometheus(binary, work, "prometheus", free_port(), config, work / "no-rules"))
        server = Prometheus(daemons[-1].port)
        wait_for(lambda: server.query("count_over_time(mysql_up[1m]) >= 4"), timeout=60, interval=1,
                 what="four scrapes of the replica's exporter")
        yield server
    finally:
        for daemon in reversed(daemons):
            daemon.stop()
        replica.stop()
        primary.stop()


def test_mysql_dashboard_on_a_replica(replica_prometheus):
    """Every MySQL panel, the replication ones included, has data for a replica."""
    (board,) = [b for b in boards() if b["uid"] == "suite-mysql"]
    values = first_values(board, replica_prometheus.label_values)
    board_targets = targets(board, values)
    assert {(t.dashboard, t.panel) for t in board_targets} >= REPLICATION_PANELS
    missing = {t.name: t for t in board_targets}

    def remaining():
        for name, target in list(missing.items()):
            if replica_prometheus.evaluate(target):
                del missing[name]
        return not missing

    try:
        wait_for(remaining, timeout=120, interval=3, what="data for every MySQL panel on a replica")
    except TimeoutError:
        pytest.fail("MySQL panels without data on a replica:\n" + "\n".join(f"{n}: {t.expr}"
                                                                           for n, t in missing.items()))
    lag = replica_prometheus.query(f'mysql_slave_status_seconds_behind_master{{instance="{values["instance"]}"}}')
    assert float(lag[0]["value"][1]) >= 0


def board_targets(prometheus: Prometheus, uid: str) -> dict[str, list[Target]]:
    """A dashboard's queries by panel title, with the variables Grafana shows first."""
    (board,) = [b for b in boards() if b["uid"] == uid]
    by_panel: dict[str, list[Target]] = {}
    for target in targets(board, first_values(board, prometheus.label_values)):
        by_panel.setdefault(target.panel, []).append(target)
    return by_panel


def main_column_filled(prometheus: Prometheus, table_targets: list[Target]) -> list[list[dict]] | None:
    """Every query's result, once the first (the table's main column) has data."""
    results = [prometheus.evaluate(target) for target in table_targets]
    return results if results[0] else None


def test_table_queries_merge_into_one_row_per_key(prometheus):
    """Grafana's merge joins the rows of a table's queries whose labels are equal: every query of a table with
    several returns the same label names (no __name__ of a recording rule, no stray resource/unit), so the table
    has one row per object, each with the main column filled."""
    checked = []
    for board in boards():
        values = first_values(board, prometheus.label_values)
        for panel in panels(board):
            if panel["type"] != "table" or len(panel["targets"]) < 2:
                continue
            table_targets = targets({**board, "panels": [panel]}, values)
            results = wait_for(lambda table_targets=table_targets: main_column_filled(prometheus, table_targets),
                               timeout=DATA_DEADLINE, interval=5, what=f"data of {board['uid']} / {panel['title']}")
            label_sets = {frozenset(series["metric"]) for result in results for series in result}
            assert len(label_sets) == 1 and "__name__" not in next(iter(label_sets)), (panel["title"], label_sets)
            rows = {tuple(sorted(series["metric"].items())) for result in results for series in result}
            assert len(rows) == max(len(result) for result in results), (panel["title"], rows)
            checked.append((board["uid"], panel["title"]))
    assert {("suite-hosts", "Hosts"), ("suite-host", "Filesystems"), ("suite-cluster", "Nodes"),
            ("suite-cluster", "Deployments"), ("suite-namespace", "Deployments"), ("suite-namespace", "Pods"),
            ("suite-pod", "Containers")} <= set(checked), checked


def test_ratios_by_route_are_zero_not_missing(prometheus):
    """A route (or app) that answered no 5xx has a 5xx ratio of 0, not a gap in the chart."""
    app = board_targets(prometheus, "suite-app")
    job = first_values(next(b for b in boards() if b["uid"] == "suite-app"), prometheus.label_values)["job"]
    routes = {s["metric"]["route"] for s in prometheus.query(f'count by (route) (http_requests_total{{job="{job}"}})')}
    assert routes
    for title in ("5xx ratio by route", "4xx ratio by route"):
        (target,) = app[title]
        shown = wait_for(lambda target=target: {s["metric"]["route"] for s in prometheus.evaluate(target)} >= routes
                         and {s["metric"]["route"] for s in prometheus.evaluate(target)}, timeout=60, interval=3,
                         what=f"a series per route in {title}")
        assert shown == routes, title
    (target,) = board_targets(prometheus, "suite-test-env")["5xx ratio"]
    jobs = {s["metric"]["job"] for s in prometheus.query("count by (job) (http_requests_total)")}
    assert {s["metric"]["job"] for s in prometheus.evaluate(target)} == jobs


def test_a_primary_says_it_is_not_a_replica(prometheus):
    """The replication stat of the stack's primary shows -1, mapped to "Not a replica", instead of No data."""
    for target in board_targets(prometheus, "suite-mysql")["Replica threads running"]:
        result = prometheus.evaluate(target)
        assert [float(series["value"][1]) for series in result] == [-1.0], target.expr


def test_collectors_with_nothing_to_read_do_not_count_as_failing(prometheus):
    """On the stack's healthy node exporter no collector stopped succeeding: the failing count is 0 and the table's
    status is 1 (works) or 0 (never worked here: nothing to read), the latter exactly the collectors reporting 0."""
    exporters = board_targets(prometheus, "suite-exporters")
    (failing,) = exporters["Collectors failing"]
    assert [float(s["value"][1]) for s in prometheus.evaluate(failing)] == [0.0]
    (status,) = exporters["Collectors"]
    statuses = {s["metric"]["collector"]: float(s["value"][1]) for s in prometheus.evaluate(status)}
    reporting_zero = {s["metric"]["collector"]
                      for s in prometheus.query('node_scrape_collector_success{job="node"} == 0')}
    assert statuses and set(statuses.values()) <= {0.0, 1.0}
    assert {name for name, value in statuses.items() if value == 0} == reporting_zero
