"""Grafana for the local stack, where one is installed (GRAFANA_SERVER, grafana-server or grafana on PATH):
deploy/grafana's provisioning and dashboards, the stack's Prometheus as the datasource, and one login per audience
with the team and folder rights of deploy/grafana/access/plan.yaml (applied by its own apply_access.py)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from testbed.grafana import GRAFANA_DIR, GrafanaServer, provisioning_tree, start_grafana
from testbed.harness import wait_for

ACCESS = GRAFANA_DIR / "access"
# One login per audience -> its identity-provider group in access/plan.yaml (the group names the team).
AUDIENCES = {"management": "management", "devops": "devops", "developer": "developers", "qa": "qa"}
HOW_TO_GET = ("Grafana: none installed; for the dashboards install one (Grafana's Debian repository, "
              "https://apt.grafana.com: apt-get install grafana) or set GRAFANA_SERVER=path/to/grafana-server")


@dataclass
class LocalGrafana:
    server: GrafanaServer
    credentials: Path  # login: password, admin and the four audiences (mode 0600; passwords are never printed)

    @property
    def url(self) -> str:
        return self.server.url

    def logins(self) -> dict[str, str]:
        return yaml.safe_load(self.credentials.read_text())

    def stop(self) -> None:
        self.server.stop()


def credentials(path: Path) -> dict[str, str]:
    """The passwords of this work directory's Grafana: made once, kept beside its database (a --workdir reused
    keeps both)."""
    if path.exists():
        return yaml.safe_load(path.read_text())
    logins = {login: secrets.token_urlsafe(12) for login in ("admin", *AUDIENCES)}
    path.touch(mode=0o600)
    path.write_text(yaml.safe_dump(logins))
    return logins


def start_local_grafana(binary: Path, workdir: Path, port: int, datasource_url: str) -> LocalGrafana:
    workdir.mkdir(parents=True, exist_ok=True)
    logins = credentials(workdir / "logins.yaml")
    provisioning = provisioning_tree(workdir / "provisioning")
    datasources_file = provisioning / "datasources" / "prometheus.yaml"
    datasources = yaml.safe_load(datasources_file.read_text())
    for datasource in datasources["datasources"]:
        datasource["url"] = datasource_url
    datasources_file.write_text(yaml.safe_dump(datasources))
    config = workdir / "grafana.ini"
    config.write_text(f"[security]\nadmin_user = admin\nadmin_password = {logins['admin']}\n")
    config.chmod(0o600)
    server = start_grafana(binary, workdir, provisioning=provisioning, config=config, port=port)
    try:
        wait_provisioned(server.url, logins["admin"])
        add_audiences(server.url, logins)
        apply_access_plan(server.url, logins["admin"], workdir / "members.yaml")
    except BaseException:
        server.stop()
        raise
    return LocalGrafana(server, workdir / "logins.yaml")


def wait_provisioned(url: str, admin_password: str, timeout: float = 120) -> None:
    """Every dashboard of deploy/grafana in Grafana (provisioning runs after /api/health answers): the access plan
    then finds the folders made, rather than racing provisioning to make them."""
    want = len(list((GRAFANA_DIR / "dashboards").rglob("*.json")))

    def provisioned() -> bool:
        boards = requests.get(f"{url}/api/search", params={"type": "dash-db"}, auth=("admin", admin_password),
                              timeout=30)
        return boards.status_code == 200 and len(boards.json()) >= want

    wait_for(provisioned, timeout=timeout, interval=0.5, what=f"grafana to provision {want} dashboards")


def add_audiences(url: str, logins: dict[str, str]) -> None:
    """One user per audience (kept when it exists), with the org role the plan gives its group."""
    admin = requests.Session()
    admin.auth = ("admin", logins["admin"])
    roles = yaml.safe_load((ACCESS / "plan.yaml").read_text())["org_roles"]
    for login, group in AUDIENCES.items():
        found = admin.get(f"{url}/api/users/lookup", params={"loginOrEmail": login}, timeout=30)
        if found.status_code == 404:
            created = admin.post(f"{url}/api/admin/users", timeout=30, json={
                "name": login.title(), "login": login, "email": f"{login}@localhost", "password": logins[login]})
            created.raise_for_status()
            user_id = created.json()["id"]
        else:
            found.raise_for_status()
            user_id = found.json()["id"]
        admin.patch(f"{url}/api/org/users/{user_id}", json={"role": roles[group]}, timeout=30).raise_for_status()


def apply_access_plan(url: str, admin_password: str, members: Path) -> None:
    """deploy/grafana/access/apply_access.py with each audience's login as the one member of its group."""
    members.write_text(yaml.safe_dump({group: [login] for login, group in AUDIENCES.items()}))
    env = {**os.environ, "GRAFANA_URL": url, "GRAFANA_USER": "admin", "GRAFANA_PASSWORD": admin_password}
    env.pop("GRAFANA_TOKEN", None)
    result = subprocess.run([sys.executable, str(ACCESS / "apply_access.py"), str(ACCESS / "plan.yaml"),
                             "--members", str(members)], env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"the access plan did not apply: {result.stderr.strip()}")
