"""deploy/grafana: dashboards as Grafana needs them, provisioning files, the SSO role mapping, and the access
plan's shape. apply_access.py runs against a real Grafana in tests/integration/test_grafana_access.py."""

from __future__ import annotations

import configparser
import json
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

import jmespath
import pytest
import requests
import yaml

from deploy.grafana.builder import write_all
from testbed.harness import free_port, start_daemon
from tests.conftest import REPO, require_binary
from tests.grafana_queries import (
    all_panels,
    board_files,
    boards,
    first_values,
    panels,
    parse_label_values,
    query_variables,
    substitute,
    targets,
    variable_query,
)

GRAFANA = REPO / "deploy" / "grafana"


def load_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("apply_access", GRAFANA / "access" / "apply_access.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_dashboards_are_what_the_builder_writes(tmp_path):
    written = write_all(tmp_path)
    for path in written:
        committed = GRAFANA / "dashboards" / path.relative_to(tmp_path)
        assert committed.read_text() == path.read_text(), f"{committed} is stale: run build_dashboards.py"
    assert len(written) == len(list((GRAFANA / "dashboards").rglob("*.json")))


def test_the_build_script_writes_the_dashboards(tmp_path):
    """deploy/grafana/build_dashboards.py, run as the README says, imports the builder package and lists what it
    wrote: the committed files."""
    result = subprocess.run([sys.executable, str(GRAFANA / "build_dashboards.py"), str(tmp_path)],
                            capture_output=True, text=True, timeout=60, check=True)
    written = sorted(Path(line).relative_to(tmp_path) for line in result.stdout.split("\n") if line)
    assert written == [path.relative_to(GRAFANA / "dashboards") for path in board_files()]
    assert all((tmp_path / path).read_text() == (GRAFANA / "dashboards" / path).read_text() for path in written)


PANEL_KINDS = {"stat", "gauge", "bargauge", "table", "timeseries", "text"}
RUNBOOKS = "https://github.com/exporter-suite/exporter-suite/blob/main/docs/runbooks.md#"
DATASOURCE_REF = {"type": "prometheus", "uid": "${datasource}"}


def test_dashboards_have_what_grafana_needs():
    """A `$datasource` variable every panel and query uses, label_values variables, rows, panels with units and
    thresholds laid out without overlap on the 24-column grid, in the folder of their audience."""
    uids, kinds, folders = set(), set(), {}
    for path in board_files():
        board = json.loads(path.read_text())
        assert board["uid"] not in uids
        uids.add(board["uid"])
        folders[board["uid"]] = path.parent.name
        assert board["title"] and board["description"] and board["schemaVersion"] >= 36 and board["panels"]
        # Grafana refuses "Dashboard name cannot be the same as folder", ignoring case.
        assert board["title"].lower() != path.parent.name.lower()
        variables = board["templating"]["list"]
        assert variables[0]["type"] == "datasource" and variables[0]["name"] == "datasource"
        assert variables[0]["query"] == "prometheus"
        assert query_variables(board), f"{board['uid']} has no template variable"
        for variable in query_variables(board):
            assert variable["datasource"] == DATASOURCE_REF
            parse_label_values(variable_query(variable))
            assert not variable.get("includeAll") or variable["allValue"] == ".*"
        rows = [p for p in board["panels"] if p["type"] == "row"]
        assert rows and board["panels"][0]["type"] == "row"
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids))
        cells = set()
        for panel in board["panels"]:
            grid = panel["gridPos"]
            assert set(grid) == {"h", "w", "x", "y"} and grid["x"] + grid["w"] <= 24
            covered = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"])
                       for y in range(grid["y"], grid["y"] + grid["h"])}
            assert not covered & cells, f"{board['uid']}: {panel['title']} overlaps another panel"
            cells |= covered
        kinds |= {panel["type"] for panel in all_panels(board)}
        for panel in panels(board):
            assert panel["type"] in PANEL_KINDS and panel["datasource"] == DATASOURCE_REF
            defaults = panel["fieldConfig"]["defaults"]
            assert defaults["unit"] and defaults["thresholds"]["steps"][0]["value"] is None
            assert panel["targets"]
            if panel["type"] == "table":
                check_table_columns(panel)
            for target in panel["targets"]:
                assert target["expr"] and target["datasource"] == DATASOURCE_REF
                assert target["instant"] == (panel["type"] != "timeseries")
                assert "$datasource" not in target["expr"]
    assert kinds == PANEL_KINDS, kinds
    assert len(uids) == 10
    assert folders == {"suite-overview": "Overview", "suite-hosts": "Infrastructure", "suite-host": "Infrastructure",
                       "suite-exporters": "Infrastructure", "suite-cluster": "Kubernetes",
                       "suite-namespace": "Kubernetes", "suite-pod": "Kubernetes", "suite-mysql": "Databases",
                       "suite-app": "Applications", "suite-test-env": "Test Environment"}


def check_table_columns(panel: dict) -> None:
    """Value columns are named after their queries; units, colours and value mappings name existing value columns,
    and a mapping (1 -> Yes) never applies to a whole table of several value columns, where it would hit counts."""
    (organize,) = [t for t in panel["transformations"] if t["id"] == "organize"]
    columns = set(organize["options"]["renameByName"].values())
    assert len(columns) == len(panel["targets"]), panel["title"]
    for override in panel["fieldConfig"]["overrides"]:
        if {prop["id"] for prop in override["properties"]} & {"unit", "custom.displayMode", "mappings"}:
            assert override["matcher"]["options"] in columns, (panel["title"], override["matcher"])
    assert len(columns) == 1 or not panel["fieldConfig"]["defaults"]["mappings"], panel["title"]


NEUTRAL_COLOURS = {"text", "transparent"}
MAPPING_COLOURS = {"Up": {"green"}, "Yes": {"green"}, "OK": {"green"}, "Down": {"red"}, "No": {"red"},
                   "Failing": {"red"}, "Exhausted": {"red"}, "read-only": {"orange"}}  # others are neutral
SIGNED_PANELS = {"Clock offset and error", "Clock against Prometheus"}  # offsets go below 0


def steps(panel: dict) -> list[dict]:
    return panel["fieldConfig"]["defaults"]["thresholds"]["steps"]


def has_mappings(panel: dict) -> bool:
    config = panel["fieldConfig"]
    return bool(config["defaults"]["mappings"]) or any(
        prop["id"] == "mappings" and prop["value"] for o in config["overrides"] for prop in o["properties"])


def coloured_columns(panel: dict) -> list[str]:
    return [o["matcher"]["options"] for o in panel["fieldConfig"]["overrides"]
            if {"id": "custom.displayMode", "value": "color-text"} in o["properties"]]


def every_panel() -> list[tuple[dict, dict]]:
    return [(board, panel) for board in boards() for panel in panels(board)]


def test_colours_only_on_status_fields():
    """A fact without good or bad (uptime, a version, a count of pods) takes no colour; a table colours only its
    status columns, never its labels; mappings carry the conventional colours."""
    for board, panel in every_panel():
        name = (board["uid"], panel["title"])
        coloured = len(steps(panel)) > 1 or has_mappings(panel)
        if len(steps(panel)) == 1:
            assert steps(panel)[0]["color"] in NEUTRAL_COLOURS, name
        if panel["type"] == "stat":
            assert panel["options"]["colorMode"] == ("background" if coloured else "none"), name
        if panel["type"] == "table":
            assert panel["fieldConfig"]["defaults"]["custom"]["displayMode"] == "auto", name
            assert bool(coloured_columns(panel)) == coloured, name
        if panel["type"] == "stat":  # a coloured background: "text" would paint it white
            assert "text" not in {step["color"] for step in steps(panel)[1:] if coloured}, name
        mapping_lists = [panel["fieldConfig"]["defaults"]["mappings"]] + [
            prop["value"] for o in panel["fieldConfig"]["overrides"] for prop in o["properties"]
            if prop["id"] == "mappings"]
        for mappings in mapping_lists:
            for mapping in mappings:
                for value, result in mapping["options"].items():
                    expected = MAPPING_COLOURS.get(result["text"], NEUTRAL_COLOURS)
                    assert result["color"] in expected, (name, value, result)
    by_uid = {board["uid"]: board for board in boards()}
    for uid in ("suite-exporters", "suite-test-env"):
        (targets_table,) = [p for p in panels(by_uid[uid]) if p["title"] == "Targets"]
        assert coloured_columns(targets_table) == ["Up"]
        (organize,) = [t for t in targets_table["transformations"] if t["id"] == "organize"]
        assert organize["options"]["indexByName"]["Value"] == 0, "the status column comes first"


def test_severities_and_results_have_their_conventional_colours():
    """Critical red, warning orange, in stats and charts; a login failure red, a success green."""
    seen = set()
    for _board, panel in every_panel():
        exprs = " ".join(target["expr"] for target in panel["targets"])
        colours = {step["color"] for step in steps(panel)}
        if 'severity="warning"' in exprs:
            assert "red" not in colours and "orange" in colours, panel["title"]
            seen.add("warning")
        if 'severity="critical"' in exprs and panel["type"] == "stat":
            assert "red" in colours, panel["title"]
            seen.add("critical")
        legends = {target["legendFormat"] for target in panel["targets"]}
        fixed = {o["matcher"]["options"]: prop["value"]["fixedColor"] for o in panel["fieldConfig"]["overrides"]
                 for prop in o["properties"] if prop["id"] == "color"}
        if "{{severity}}" in legends:
            assert fixed == {"critical": "red", "warning": "orange"}, panel["title"]
            seen.add("chart")
        if "{{result}}" in legends:
            assert fixed == {"success": "green", "failure": "red"}, panel["title"]
            seen.add("logins")
    assert seen == {"warning", "critical", "chart", "logins"}


def column_unit(panel: dict, target: dict) -> str:
    """The unit a query's values are shown in: its table column's override, else the panel's."""
    for override in panel["fieldConfig"]["overrides"]:
        for prop in override["properties"]:
            if prop["id"] == "unit" and override["matcher"]["options"] == target["legendFormat"]:
                return prop["value"]
    return panel["fieldConfig"]["defaults"]["unit"]


def test_units_say_what_the_numbers_are():
    """Whole restarts (increase() extrapolates), durations as durations, CPU in cores and memory in bytes, a
    decimal or so for latencies; charts start at 0 (clock offsets aside) and show their objective's line."""
    checked = set()
    for board, panel in every_panel():
        name = (board["uid"], panel["title"])
        defaults = panel["fieldConfig"]["defaults"]
        for target in panel["targets"]:
            expr, unit = target["expr"], column_unit(panel, target)
            ratio = " / " in expr
            if "restarts" in expr and "increase" in expr:
                assert expr.startswith("round(") and defaults.get("decimals") == 0, name
                checked.add("restarts")
            if "time() - " in expr or "_uptime{" in expr:
                assert unit == "dtdurations", name
                checked.add("durations")
            if 'resource="cpu"' in expr and not ratio:
                assert unit == "suffix: cores", name
                checked.add("cores")
            if ('resource="memory"' in expr or re.search(r"\w_bytes\{", expr)) and not ratio:
                assert unit == "bytes", name
                checked.add("bytes")
            if "histogram_quantile" in expr or "duration_seconds:p90" in expr:
                assert defaults.get("decimals") is not None, name
                checked.add("latency")
            assert not re.match(r"mysql_global_variables_\w+\{[^}]*\}$", expr) or panel["type"] != "timeseries", (
                f"{name}: a configured limit on a chart dwarfs what it limits")
        if panel["type"] == "timeseries":
            assert ("min" not in defaults) == (panel["title"] in SIGNED_PANELS), name
            if panel["title"] not in SIGNED_PANELS:
                assert defaults["min"] == 0, name
            if defaults["custom"]["thresholdsStyle"]["mode"] == "line":
                top = max(step["value"] for step in steps(panel) if step["value"] is not None)
                assert max(defaults["custom"].get("axisSoftMax", 0), defaults.get("max", 0)) >= top, (
                    f"{name}: the objective's line is off the chart")
    assert checked == {"restarts", "durations", "cores", "bytes", "latency"}


def test_budgets_say_exhausted_rather_than_go_negative():
    """A budget left stops at 0, shown as "Exhausted"; the budget spent next to it says by how much (over 100%)."""
    (board,) = [b for b in boards() if b["uid"] == "suite-overview"]
    by_title = {panel["title"]: panel for panel in panels(board)}
    for budget in ("Error budget", "Latency budget"):
        left, spent = by_title[f"{budget} left"], by_title[f"{budget} spent"]
        assert left["targets"][0]["expr"].startswith("clamp_min(") and left["fieldConfig"]["defaults"]["min"] == 0
        texts = {value: result["text"] for mapping in left["fieldConfig"]["defaults"]["mappings"]
                 for value, result in mapping["options"].items()}
        assert texts == {"0": "Exhausted"}
        assert spent["targets"][0]["expr"] in left["targets"][0]["expr"] and "max" not in spent["fieldConfig"][
            "defaults"], "spent is not capped: 300% says three times the budget"
        assert {step["value"]: step["color"] for step in steps(spent)}[1] == "red"


def test_zero_where_zero_is_meant():
    """A count or sum that finds nothing shows 0, not "No data" (`or vector(0)`); a ratio of answers by route or
    job is 0 for one without such answers (`or ... * 0`); where there is nothing to show, the panel says what."""
    for board, panel in every_panel():
        for target in panel["targets"]:
            expr = target["expr"]
            one_object = re.search(r'(instance|pod)="\$\w+"', expr)  # gone: No data is the truth
            if (panel["type"] == "stat" and re.match(r"(round\()?(count|sum)\(", expr) and " / " not in expr
                    and not one_object):
                assert expr.endswith("or vector(0)"), (board["uid"], panel["title"], expr)
            if re.search(r'status=~"[45]\.\."', expr) and " / " in expr and " by (" in expr:
                assert " or " in expr, (board["uid"], panel["title"], expr)
    says = {(b["uid"], p["title"]): p["fieldConfig"]["defaults"].get("noValue") for b, p in every_panel()}
    assert says[("suite-mysql", "Replication lag")] == "Not a replica"
    assert says[("suite-overview", "Firing alerts")] == "Nothing is firing"


def test_titles_fit_their_panels():
    """About seven characters per grid column before Grafana cuts a title with an ellipsis."""
    for board in boards():
        for panel in all_panels(board):
            assert len(panel["title"]) <= 7 * panel["gridPos"]["w"], (board["uid"], panel["title"])


def test_alert_tables_say_since_when_and_link_the_runbook():
    """No useless Value column: the value is when the alert started (ALERTS_FOR_STATE, in ms for Grafana's date
    units), and the alert's name opens its runbook section."""
    for _board, panel in every_panel():
        if "ALERTS" in panel["targets"][0]["expr"] and panel["type"] == "table":
            (target,) = panel["targets"]
            assert "ALERTS_FOR_STATE" in target["expr"] and target["expr"].count("* 1000") == 1
            assert panel["fieldConfig"]["defaults"]["unit"] == "dateTimeFromNow" and target["legendFormat"] == "Since"
            links = [prop["value"][0]["url"] for o in panel["fieldConfig"]["overrides"] for prop in o["properties"]
                     if prop["id"] == "links" and o["matcher"]["options"] == "alertname"]
            assert links == [RUNBOOKS + "${__data.fields.alertname}"]


def test_failing_collectors_come_first():
    (board,) = [b for b in boards() if b["uid"] == "suite-exporters"]
    (table,) = [p for p in panels(board) if p["title"] == "Collectors"]
    assert table["options"]["sortBy"] == [{"displayName": "Status", "desc": True}]
    (override,) = [o for o in table["fieldConfig"]["overrides"] if o["matcher"]["options"] == "Status"]
    (mappings,) = [prop["value"] for prop in override["properties"] if prop["id"] == "mappings"]
    texts = {value: result["text"] for value, result in mappings[0]["options"].items()}
    assert texts == {"2": "Failing", "1": "OK", "0": "Nothing to read here"}


def test_cluster_says_where_usage_comes_from():
    (board,) = [b for b in boards() if b["uid"] == "suite-cluster"]
    (text,) = [p for p in all_panels(board) if p["type"] == "text"]
    assert "cAdvisor" in text["options"]["content"] and "kubelet" in text["options"]["content"]


def test_home_page_is_the_service_overview():
    """grafana.ini's default home dashboard is the Overview file where its folder's provider mounts it."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(GRAFANA / "grafana.ini")
    path = PurePosixPath(ini["dashboards"]["default_home_dashboard_path"])
    providers = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "exporter-suite.yaml").read_text())
    (provider,) = [p for p in providers["providers"] if PurePosixPath(p["options"]["path"]) == path.parent]
    board = json.loads((GRAFANA / "dashboards" / provider["folder"] / path.name).read_text())
    assert board["uid"] == "suite-overview"


def data_links(board: dict) -> list[str]:
    """URLs of the panels' data links (on the whole panel, or on one table column)."""
    urls = []
    for panel in panels(board):
        config = panel["fieldConfig"]
        urls += [link["url"] for link in config["defaults"].get("links", [])]
        urls += [link["url"] for override in config["overrides"] for prop in override["properties"]
                 if prop["id"] == "links" for link in prop["value"]]
    return urls


def links_of(board: dict) -> set[str]:
    """Uids of the dashboards a dashboard links to: its own links and its panels' data links (the others are
    runbook links)."""
    urls = [link["url"] for link in board["links"] if link["type"] == "link"] + data_links(board)
    assert all(url.startswith(("/d/", RUNBOOKS)) for url in urls), urls
    return {url.split("/")[2] for url in urls if url.startswith("/d/")}


def test_links_connect_the_levels():
    """overview -> hosts -> host, cluster -> namespace -> pod, and back up; every link names a dashboard."""
    by_uid = {board["uid"]: board for board in boards()}
    edges = {uid: links_of(board) for uid, board in by_uid.items()}
    assert all(target in by_uid for targets_ in edges.values() for target in targets_), edges
    for source, target in [("suite-overview", "suite-hosts"), ("suite-hosts", "suite-host"),
                           ("suite-host", "suite-hosts"), ("suite-overview", "suite-cluster"),
                           ("suite-cluster", "suite-namespace"), ("suite-namespace", "suite-pod"),
                           ("suite-pod", "suite-namespace"), ("suite-overview", "suite-app")]:
        assert target in edges[source], (source, target)
    # A drill-down link carries the variables the lower level needs.
    for source, target, variables in [("suite-hosts", "suite-host", ("job", "instance")),
                                      ("suite-cluster", "suite-namespace", ("namespace",)),
                                      ("suite-namespace", "suite-pod", ("namespace", "pod"))]:
        urls = [url for url in data_links(by_uid[source]) if url.startswith(f"/d/{target}/")]
        assert urls and all(f"var-{name}=" in url for url in urls for name in ("datasource", *variables)), urls


def test_overview_is_view_only_for_management():
    board = json.loads((GRAFANA / "dashboards" / "Overview" / "overview.json").read_text())
    assert board["editable"] is False
    plan = yaml.safe_load((GRAFANA / "access" / "plan.yaml").read_text())
    assert plan["folders"]["overview"]["permissions"]["management"] == "View"
    exprs = " ".join(t["expr"] for panel in panels(board) for t in panel["targets"])
    for needle in ("ALERTS", 'severity="critical"', "http_requests_total", "http_request_duration_seconds_bucket",
                   "0.005", 'le="0.25"', "node_filesystem_avail_bytes", 'resource="pods"', "avg_over_time(up"):
        assert needle in exprs, needle


@pytest.fixture(scope="module")
def empty_prometheus(tmp_path_factory):
    """A Prometheus with nothing to scrape: it parses and evaluates queries, answering 400 to a bad one."""
    binary = require_binary("prometheus")
    directory = tmp_path_factory.mktemp("prometheus")
    (directory / "prometheus.yml").write_text("global: {scrape_interval: 1m}\n")
    port = free_port()
    daemon = start_daemon("prometheus", [binary, f"--config.file={directory / 'prometheus.yml'}",
                                         f"--storage.tsdb.path={directory / 'data'}",
                                         f"--web.listen-address=127.0.0.1:{port}"],
                          port, str(directory / "prometheus.log"), ready_path="/-/ready", timeout=60)
    yield f"http://127.0.0.1:{port}"
    daemon.stop()


def test_every_dashboard_query_parses(empty_prometheus):
    """Each variable's selector and each panel query with placeholder variable values (All as Grafana sends it)."""
    session = requests.Session()
    count = 0
    for board in boards():
        values = first_values(board, lambda selector, label: ["placeholder"])
        queries = [t.expr for t in targets(board, values)]
        queries += [selector for v in query_variables(board)
                    if (selector := parse_label_values(substitute(variable_query(v), values))[0])]
        for expr in queries:
            assert "$" not in expr, expr
            body = session.get(f"{empty_prometheus}/api/v1/query", params={"query": expr}, timeout=30).json()
            assert body["status"] == "success", (board["uid"], expr, body.get("error"))
            count += 1
    assert count > 150


def test_provisioning_files():
    datasource = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yaml").read_text())
    assert datasource["apiVersion"] == 1 and datasource["datasources"][0]["uid"] == "prometheus"



def test_dashboard_providers_use_the_plan_folder_uids():
    """One provider per folder with the plan's uid: provisioning and apply_access.py name the same folders."""
    providers = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "exporter-suite.yaml").read_text())
    plan = yaml.safe_load((GRAFANA / "access" / "plan.yaml").read_text())
    by_uid = {p["folderUid"]: p for p in providers["apiVersion"] == 1 and providers["providers"]}
    assert set(by_uid) == set(plan["folders"])
    for uid, provider in by_uid.items():
        title = plan["folders"][uid]["title"]
        assert provider["folder"] == title and provider["type"] == "file"
        assert provider["options"]["path"] == f"/var/lib/grafana/dashboards/{title}"
        assert not provider["options"].get("foldersFromFilesStructure")


def test_folders_of_the_plan_are_the_dashboard_folders():
    plan = yaml.safe_load((GRAFANA / "access" / "plan.yaml").read_text())
    titles = {folder["title"] for folder in plan["folders"].values()}
    assert titles == {p.name for p in (GRAFANA / "dashboards").iterdir() if p.is_dir()}


@pytest.mark.parametrize(("groups", "role"), [
    (["devops", "developers"], "Admin"), (["developers"], "Viewer"), (["qa"], "Viewer"),
    (["management"], "Viewer"), (["interns"], None),
])
def test_sso_role_mapping(groups, role):
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(GRAFANA / "grafana.ini")
    oauth = ini["auth.generic_oauth"]
    assert jmespath.search(oauth["role_attribute_path"], {"groups": groups}) in (role, False if role is None else role)
    assert oauth.getboolean("role_attribute_strict") and not ini["auth.anonymous"].getboolean("enabled")
    assert ini["users"]["auto_assign_org_role"] == "Viewer"


def test_plan_gives_each_audience_its_access():
    plan = load_script().load_plan(GRAFANA / "access" / "plan.yaml")
    folders = plan["folders"]
    assert all(f["permissions"].get("management") == "View" for f in folders.values())  # management sees all
    assert all(f["permissions"].get("devops") == "Admin" for f in folders.values())
    assert {uid for uid, f in folders.items() if "qa" in f["permissions"]} == {"test-environment"}
    assert {uid for uid, f in folders.items() if f["permissions"].get("developers") == "Edit"} == \
        {"applications", "test-environment"}
    assert plan["org_roles"] == {"devops": "Admin", "developers": "Viewer", "qa": "Viewer", "management": "Viewer"}


def test_bad_plan_is_refused(tmp_path):
    module = load_script()
    path = tmp_path / "plan.yaml"
    path.write_text("teams: {ops: {}}\nfolders:\n  x:\n    title: X\n    permissions: {ops: Owner}\n")
    with pytest.raises(module.PlanError, match="not a known team and permission"):
        module.load_plan(path)
