"""`make run`'s Grafana (localstack/grafana.py): with a real Grafana (GRAFANA_SERVER names it; skipped without), the
dashboards of deploy/grafana, the stack's Prometheus as the datasource and one login per audience with the org role,
team and folder rights of deploy/grafana/access/plan.yaml; without one, a line saying how to get one."""

from __future__ import annotations

import json
import stat

import pytest
import requests
import yaml

from localstack.grafana import ACCESS, AUDIENCES, HOW_TO_GET, start_local_grafana
from localstack.stack import LocalStack
from testbed.grafana import GRAFANA_DIR
from testbed.harness import free_port
from tests.conftest import require_grafana

pytestmark = pytest.mark.integration
PLAN = yaml.safe_load((ACCESS / "plan.yaml").read_text())
DATASOURCE = "http://127.0.0.1:19090"


@pytest.fixture(scope="module")
def grafana(tmp_path_factory):
    local = start_local_grafana(require_grafana(), tmp_path_factory.mktemp("local grafana"), free_port(), DATASOURCE)
    yield local
    local.stop()


def session(local, login: str) -> requests.Session:
    user = requests.Session()
    user.auth = (login, local.logins()[login])
    return user


def test_dashboards_and_the_stack_prometheus_are_provisioned(grafana):
    admin = session(grafana, "admin")
    assert admin.get(f"{grafana.url}/api/datasources/uid/prometheus", timeout=30).json()["url"] == DATASOURCE
    boards = admin.get(f"{grafana.url}/api/search", params={"type": "dash-db"}, timeout=30).json()
    assert len(boards) == len(list((GRAFANA_DIR / "dashboards").rglob("*.json")))
    home = json.loads((GRAFANA_DIR / "dashboards" / "Overview" / "overview.json").read_text())
    assert admin.get(f"{grafana.url}/api/dashboards/home", timeout=30).json()["dashboard"]["uid"] == home["uid"]


def test_each_audience_logs_in_with_the_rights_of_the_access_plan(grafana):
    assert stat.S_IMODE(grafana.credentials.stat().st_mode) == 0o600
    for login, group in AUDIENCES.items():
        user = session(grafana, login)
        me = user.get(f"{grafana.url}/api/user", timeout=30)
        assert me.status_code == 200 and me.json()["login"] == login
        orgs = user.get(f"{grafana.url}/api/user/orgs", timeout=30).json()
        assert [org["role"] for org in orgs] == [PLAN["org_roles"][group]], login
        teams = {team["name"] for team in user.get(f"{grafana.url}/api/user/teams", timeout=30).json()}
        assert teams == {name for name, team in PLAN["teams"].items() if team["group"] == group}, login
        for uid, folder in PLAN["folders"].items():
            permission = folder["permissions"].get(group)
            answer = user.get(f"{grafana.url}/api/folders/{uid}", timeout=30)
            if permission is None:
                assert answer.status_code in (403, 404), (login, uid, answer.status_code)
            else:
                assert answer.status_code == 200, (login, uid, answer.text)
                assert answer.json()["canEdit"] == (permission in ("Edit", "Admin")), (login, uid)


def test_without_grafana_the_stack_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.delenv("GRAFANA_SERVER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no grafana-server nor grafana there
    stack = LocalStack(tmp_path / "stack", free_ports=True, grafana=True)
    stack._start_grafana()
    assert stack.grafana_note == HOW_TO_GET and "GRAFANA_SERVER" in HOW_TO_GET
    assert stack.local_grafana is None and not any("Grafana" in name for name in stack.urls())
