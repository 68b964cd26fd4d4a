"""deploy/grafana against a real Grafana server (the one GRAFANA_SERVER names, written against OSS 9.2.8; skipped
without it): provisioning and the access plan agree whatever runs first, and the four audiences get their access
through real SSO logins (generic OAuth against a small OpenID Connect provider), each "cannot" tried and answered
403."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time

import pytest
import requests
import yaml

from testbed.grafana import GRAFANA_DIR, OidcProvider, User, start_grafana
from testbed.harness import free_port
from tests.conftest import REPO, require_grafana

pytestmark = pytest.mark.integration
SCRIPT = GRAFANA_DIR / "access" / "apply_access.py"
PLAN = yaml.safe_load((GRAFANA_DIR / "access" / "plan.yaml").read_text())
FOLDERS = {uid: folder["title"] for uid, folder in PLAN["folders"].items()}
USERS = {
    "dora": User("dora", "dora@example.com", ["devops"]),
    "dev": User("dev", "dev@example.com", ["developers"]),
    "quinn": User("quinn", "quinn@example.com", ["qa"]),
    "max": User("max", "max@example.com", ["management"]),
    "ivan": User("ivan", "ivan@example.com", ["interns"]),
}


def wait_provisioned(server):
    admin = requests.Session()
    admin.auth = ("admin", "admin")
    want = len(dashboard_files())
    poll(lambda: len(admin.get(f"{server.url}/api/search", params={"type": "dash-db"}, timeout=30).json()) == want,
         what="dashboards provisioned")


def load_access_module():
    spec = importlib.util.spec_from_file_location("apply_access", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(url: str, token: str | None, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAFANA_")}
    if url:
        env["GRAFANA_URL"] = url
    if token:
        env["GRAFANA_TOKEN"] = token
    return subprocess.run([sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120)


def service_account_token(url: str) -> str:
    """What the sync job runs with in a cluster: a service account token with the Admin org role."""
    admin = requests.Session()
    admin.auth = ("admin", "admin")
    name = f"access-sync-{time.time_ns()}"
    account = admin.post(f"{url}/api/serviceaccounts", json={"name": name, "role": "Admin"}, timeout=30)
    account.raise_for_status()
    token = admin.post(f"{url}/api/serviceaccounts/{account.json()['id']}/tokens", json={"name": name}, timeout=30)
    token.raise_for_status()
    return token.json()["key"]


def provisioning_errors(log: str) -> list[str]:
    return [line for line in log.splitlines()
            if "logger=provisioning" in line and re.search(r"\b(level|lvl)=(error|eror|warn|warning)\b", line)]


def dashboard_files() -> dict[str, str]:
    """dashboard uid -> folder title, from deploy/grafana/dashboards/<folder>/*.json."""
    return {json.loads(path.read_text())["uid"]: path.parent.name
            for path in (GRAFANA_DIR / "dashboards").rglob("*.json")}


def poll(check, timeout: float = 30.0, what: str = "condition"):
    """Grafana caches evaluated permissions per user for a while: ask again until the answer is the new one."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def sso(tmp_path_factory):
    """A provider with the four audiences and an outsider, and Grafana with deploy/grafana's grafana.ini."""
    grafana = require_grafana()
    provider = OidcProvider(USERS).start()
    server = start_grafana(grafana, tmp_path_factory.mktemp("grafana-sso"), provider=provider)
    wait_provisioned(server)
    yield server, provider
    server.stop()
    provider.stop()


def login(url: str, provider: OidcProvider, name: str) -> tuple[requests.Session, requests.Response]:
    provider.next_login = name
    session = requests.Session()
    response = session.get(f"{url}/login/generic_oauth", timeout=30)
    return session, response


def test_provisioning_then_access_plan_agree_and_second_runs_change_nothing(sso):
    server, _ = sso
    url = server.url
    admin = requests.Session()
    admin.auth = ("admin", "admin")
    # Provisioning ran at start-up: every dashboard is in its folder, under the plan's uid, without an error.
    assert not provisioning_errors(server.log()), provisioning_errors(server.log())
    folders = {f["uid"]: f["title"] for f in admin.get(f"{url}/api/folders", timeout=30).json()}
    for uid, folder_title in dashboard_files().items():
        board = admin.get(f"{url}/api/dashboards/uid/{uid}", timeout=30).json()
        assert board["meta"]["folderTitle"] == folder_title and board["meta"]["provisioned"], uid
        assert folders[board["meta"]["folderUid"]] == folder_title
    token = service_account_token(url)
    first = run_script(url, token)
    assert first.returncode == 0, first.stderr
    assert "create folder" not in first.stdout  # provisioning made them, with the plan's uids
    assert first.stdout.count("create team") == len(PLAN["teams"])
    second = run_script(url, token)
    assert second.returncode == 0 and second.stdout == "", second.stdout
    assert {f["uid"]: f["title"] for f in admin.get(f"{url}/api/folders", timeout=30).json()} == FOLDERS


def test_access_plan_first_then_provisioning(tmp_path):
    grafana = require_grafana()
    empty = tmp_path / "no-dashboards"
    (empty / "dashboards").mkdir(parents=True)
    server = start_grafana(grafana, tmp_path / "grafana", provisioning=empty)
    try:
        token = service_account_token(server.url)
        first = run_script(server.url, token)
        assert first.returncode == 0, first.stderr
        assert first.stdout.count("create folder") == len(FOLDERS)
    finally:
        server.stop()
    # The same database, now with deploy/grafana's dashboard providers: they fill the plan's folders.
    server = start_grafana(grafana, tmp_path / "grafana")
    wait_provisioned(server)
    try:
        admin = requests.Session()
        admin.auth = ("admin", "admin")
        assert not provisioning_errors(server.log()), provisioning_errors(server.log())
        assert {f["uid"]: f["title"] for f in admin.get(f"{server.url}/api/folders", timeout=30).json()} == FOLDERS
        for uid in dashboard_files():
            board = admin.get(f"{server.url}/api/dashboards/uid/{uid}", timeout=30).json()
            assert board["meta"]["folderUid"] in FOLDERS
        again = run_script(server.url, token)
        assert again.returncode == 0 and again.stdout == "", again.stdout
    finally:
        server.stop()


def visible_folders(session: requests.Session, url: str) -> set[str]:
    return {hit["uid"] for hit in session.get(f"{url}/api/search", params={"type": "dash-folder"}, timeout=30).json()}


def save_dashboard(session: requests.Session, url: str, folder_uid: str, title: str, uid: str | None = None,
                   folder_ids: dict[str, int] | None = None) -> requests.Response:
    body = {"dashboard": {"title": title, "uid": uid, "panels": []}, "folderId": folder_ids[folder_uid],
            "overwrite": uid is not None}
    return session.post(f"{url}/api/dashboards/db", json=body, timeout=30)


def test_four_audiences_through_real_logins(sso, tmp_path):
    server, provider = sso
    url = server.url
    admin = requests.Session()
    admin.auth = ("admin", "admin")
    token = service_account_token(url)
    assert run_script(url, token).returncode == 0

    sessions = {}
    for name in ("dora", "dev", "quinn", "max"):
        session, _ = login(url, provider, name)
        me = session.get(f"{url}/api/user", timeout=30)
        assert me.status_code == 200 and me.json()["login"] == name, (name, me.text)
        sessions[name] = session
    # Someone in none of the groups is refused at login (role_attribute_strict): no session, no user.
    outsider, _ = login(url, provider, "ivan")
    assert outsider.get(f"{url}/api/user", timeout=30).status_code == 401
    assert admin.get(f"{url}/api/users/lookup", params={"loginOrEmail": "ivan"}, timeout=30).status_code == 404

    # Logged in, but in no team yet: OSS Grafana does not sync teams. The sync job puts them in.
    members = tmp_path / "members.yaml"
    members.write_text(yaml.safe_dump({user.groups[0]: [user.email] for user in USERS.values()}))
    synced = run_script(url, token, "--members", str(members))
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.count("add user") == 4
    assert run_script(url, token, "--members", str(members)).stdout == ""  # idempotent

    folder_ids = {f["uid"]: f["id"] for f in admin.get(f"{url}/api/folders", timeout=30).json()}
    everything = set(FOLDERS)
    for name in ("dora", "dev", "max"):
        poll(lambda name=name: visible_folders(sessions[name], url) == everything, what=f"{name} sees every folder")
    poll(lambda: visible_folders(sessions["quinn"], url) == {"test-environment"}, what="qa sees test-environment")

    # Management: sees everything, changes nothing.
    max_ = sessions["max"]
    for uid in FOLDERS:
        assert save_dashboard(max_, url, uid, f"max in {uid}", folder_ids=folder_ids).status_code == 403
    assert max_.post(f"{url}/api/folders", json={"title": "Max's"}, timeout=30).status_code == 403

    # DevOps: create, edit, delete anywhere; manage permissions.
    dora = sessions["dora"]
    for uid in FOLDERS:
        created = save_dashboard(dora, url, uid, f"dora in {uid}", folder_ids=folder_ids)
        assert created.status_code == 200, created.text
        board_uid = created.json()["uid"]
        assert save_dashboard(dora, url, uid, f"dora in {uid} v2", board_uid, folder_ids).status_code == 200
        assert dora.delete(f"{url}/api/dashboards/uid/{board_uid}", timeout=30).status_code == 200
    current = dora.get(f"{url}/api/folders/databases/permissions", timeout=30)
    assert current.status_code == 200
    items = [{k: p[k] for k in ("teamId", "permission")} for p in current.json() if p.get("teamId")]
    assert dora.post(f"{url}/api/folders/databases/permissions", json={"items": items}, timeout=30).status_code == 200

    # Developers: see everything; create and edit only in Applications and Test Environment.
    dev = sessions["dev"]
    for uid in FOLDERS:
        created = save_dashboard(dev, url, uid, f"dev in {uid}", folder_ids=folder_ids)
        if uid in ("applications", "test-environment"):
            assert created.status_code == 200, (uid, created.text)
            edited = save_dashboard(dev, url, uid, f"dev in {uid} v2", created.json()["uid"], folder_ids)
            assert edited.status_code == 200
        else:
            assert created.status_code == 403, (uid, created.status_code)
    assert dev.post(f"{url}/api/folders/applications/permissions", json={"items": []}, timeout=30).status_code == 403

    # QA: Test Environment only, read only.
    quinn = sessions["quinn"]
    for uid, folder_title in dashboard_files().items():
        status = quinn.get(f"{url}/api/dashboards/uid/{uid}", timeout=30).status_code
        assert status == (200 if folder_title == "Test Environment" else 403), (uid, status)
    assert save_dashboard(quinn, url, "test-environment", "qa", folder_ids=folder_ids).status_code == 403
    assert quinn.get(f"{url}/api/folders/infrastructure", timeout=30).status_code == 403

    # Someone leaves the developers group: the next sync takes them out of the team, and their Edit with it.
    members.write_text(yaml.safe_dump({"devops": ["dora@example.com"], "qa": ["quinn@example.com"],
                                       "management": ["max@example.com"], "developers": []}))
    assert "remove user" in run_script(url, token, "--members", str(members)).stdout
    def dev_refused() -> bool:
        fresh, _ = login(url, provider, "dev")
        title = f"dev again {time.monotonic_ns()}"  # a new title each try: a taken one answers 412, not 403
        return save_dashboard(fresh, url, "applications", title, folder_ids=folder_ids).status_code == 403

    poll(dev_refused, timeout=60, what="dev loses Edit on applications")


def test_apply_access_fails_politely(sso):
    server, _ = sso
    missing = run_script("", None)
    assert missing.returncode == 2 and "GRAFANA_URL" in missing.stderr and len(missing.stderr.splitlines()) == 1
    bad_token = run_script(server.url, "not-a-token")
    assert bad_token.returncode == 1
    line = bad_token.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert line.startswith("apply_access: error: GET /api/teams/search: 401"), line
    unreachable = run_script(f"http://127.0.0.1:{free_port()}", "x")
    assert unreachable.returncode == 1 and unreachable.stderr.startswith("apply_access: error: cannot reach")
    assert len(unreachable.stderr.splitlines()) == 1
    unreadable = run_script(server.url, "x", str(REPO / "no-such-plan.yaml"))
    assert unreadable.returncode == 2 and "no-such-plan.yaml" in unreadable.stderr


def test_dry_run_changes_nothing(tmp_path):
    grafana = require_grafana()
    empty = tmp_path / "empty"
    (empty / "dashboards").mkdir(parents=True)
    server = start_grafana(grafana, tmp_path / "grafana", provisioning=empty)
    try:
        token = service_account_token(server.url)
        dry = run_script(server.url, token, "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert dry.stdout.count("would create folder") == len(FOLDERS)
        assert dry.stdout.count("would create team") == len(PLAN["teams"])
        admin = requests.Session()
        admin.auth = ("admin", "admin")
        assert admin.get(f"{server.url}/api/folders", timeout=30).json() == []
        assert admin.get(f"{server.url}/api/teams/search", timeout=30).json()["totalCount"] == 0
    finally:
        server.stop()
