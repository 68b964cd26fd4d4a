"""deploy/grafana: dashboards as Grafana needs them, provisioning files, the SSO role mapping, and the access
plan's shape. apply_access.py runs against a real Grafana in tests/integration/test_grafana_access.py."""

from __future__ import annotations

import configparser
import json

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
