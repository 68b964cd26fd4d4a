"""deploy/grafana: dashboards as Grafana needs them, provisioning files, the SSO role mapping, and the access
plan applied idempotently by apply_access.py against a recorded description of Grafana's HTTP API."""

from __future__ import annotations

import configparser
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jmespath
import pytest
import yaml

from tests.conftest import REPO

GRAFANA = REPO / "deploy" / "grafana"


def load_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("apply_access", GRAFANA / "access" / "apply_access.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_dashboards_are_what_the_builder_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_dashboards", GRAFANA / "build_dashboards.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.write_all(tmp_path)
    for path in written:
        committed = GRAFANA / "dashboards" / path.relative_to(tmp_path)
        assert committed.read_text() == path.read_text(), f"{committed} is stale: run build_dashboards.py"
    assert len(written) == len(list((GRAFANA / "dashboards").rglob("*.json")))


def test_dashboards_have_what_grafana_needs():
    uids = set()
    for path in (GRAFANA / "dashboards").rglob("*.json"):
        board = json.loads(path.read_text())
        assert board["uid"] not in uids
        uids.add(board["uid"])
        assert board["title"] and board["schemaVersion"] >= 36 and board["panels"]
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] == "prometheus" and set(panel["gridPos"]) == {"h", "w", "x", "y"}
            assert panel["targets"] and all(t["expr"] for t in panel["targets"])
    assert len(uids) == 5


def test_provisioning_files():
    datasource = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yaml").read_text())
    assert datasource["apiVersion"] == 1 and datasource["datasources"][0]["uid"] == "prometheus"
    dashboards = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "exporter-suite.yaml").read_text())
    assert dashboards["providers"][0]["options"]["foldersFromFilesStructure"] is True


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


class FakeGrafana(BaseHTTPRequestHandler):
    """The part of Grafana's HTTP API the script uses, as documented: teams search/create, folders get/create,
    folder permissions get/replace. Requests are recorded."""

    state: dict

    def log_message(self, *args) -> None:
        pass

    def _reply(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.state["requests"].append(("GET", url.path))
        assert self.headers["Authorization"] == "Bearer test-token"
        if url.path == "/api/teams/search":
            name = parse_qs(url.query)["name"][0]
            teams = [t for t in self.state["teams"] if t["name"] == name]
            return self._reply(200, {"teams": teams, "totalCount": len(teams)})
        parts = url.path.strip("/").split("/")
        if parts[:2] == ["api", "folders"] and len(parts) == 3:
            folder = self.state["folders"].get(parts[2])
            return self._reply(200, folder) if folder else self._reply(404, {"message": "folder not found"})
        if parts[:2] == ["api", "folders"] and parts[3:] == ["permissions"]:
            return self._reply(200, self.state["permissions"].get(parts[2], []))
        self._reply(404, {"message": "not found"})

    def do_POST(self) -> None:
        body = self._body()
        self.state["requests"].append(("POST", self.path))
        if self.path == "/api/teams":
            team = {"id": len(self.state["teams"]) + 1, "name": body["name"], "email": body["email"]}
            self.state["teams"].append(team)
            return self._reply(200, {"message": "Team created", "teamId": team["id"]})
        if self.path == "/api/folders":
            self.state["folders"][body["uid"]] = {"uid": body["uid"], "title": body["title"], "id": 1}
            return self._reply(200, self.state["folders"][body["uid"]])
        parts = self.path.strip("/").split("/")
        if parts[:2] == ["api", "folders"] and parts[3:] == ["permissions"]:
            self.state["permissions"][parts[2]] = body["items"]
            return self._reply(200, {"message": "Folder permissions updated"})
        self._reply(404, {"message": "not found"})


@pytest.fixture
def fake_grafana():
    state = {"teams": [], "folders": {}, "permissions": {}, "requests": []}
    handler = type("Handler", (FakeGrafana,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()


def test_apply_access_creates_then_converges_idempotently(fake_grafana):
    url, state = fake_grafana
    module = load_script()
    plan = module.load_plan(GRAFANA / "access" / "plan.yaml")
    first = module.apply(plan, module.Grafana(url, token="test-token"))
    assert len([a for a in first if a.startswith("create team")]) == 4
    assert len([a for a in first if a.startswith("create folder")]) == 5
    team_ids = {t["name"]: t["id"] for t in state["teams"]}
    assert sorted((p["teamId"], p["permission"]) for p in state["permissions"]["test-environment"]) == sorted(
        [(team_ids["devops"], 4), (team_ids["developers"], 2), (team_ids["qa"], 1), (team_ids["management"], 1)])
    second = module.apply(plan, module.Grafana(url, token="test-token"))
    assert second == []  # nothing left to change
    state["permissions"]["databases"].append({"teamId": team_ids["qa"], "permission": 4})  # a hand-made change
    third = module.apply(plan, module.Grafana(url, token="test-token"))
    assert third == ["set permissions of folder databases"]
    assert all(p["teamId"] != team_ids["qa"] for p in state["permissions"]["databases"])


def test_bad_plan_is_refused(tmp_path):
    module = load_script()
    path = tmp_path / "plan.yaml"
    path.write_text("teams: {ops: {}}\nfolders:\n  x:\n    title: X\n    permissions: {ops: Owner}\n")
    with pytest.raises(ValueError, match="not a known team and permission"):
        module.load_plan(path)
