"""Apply access/plan.yaml to a Grafana through its HTTP API: teams, folders and folder permissions.

Idempotent: teams and folders are looked up before they are created, and each folder's permission list is
replaced by the plan's on every run (Grafana's POST /api/folders/{uid}/permissions replaces the whole list),
so a hand-made change is converged back. The Admin org role keeps access to everything by Grafana's design.

    GRAFANA_URL=https://grafana.example.com GRAFANA_TOKEN=... python apply_access.py [plan.yaml] [--dry-run]

Tested against a recorded description of the API (tests/unit/test_grafana_access.py), not a live Grafana.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

import requests
import yaml

PERMISSIONS = {"View": 1, "Edit": 2, "Admin": 4}
ROLES = {"Viewer", "Editor", "Admin"}


def load_plan(path: Path) -> dict[str, Any]:
    """Read and check the plan: every permission names a team of the plan and a known level."""
    plan = yaml.safe_load(path.read_text())
    teams = set(plan.get("teams") or {})
    for team, role in (plan.get("org_roles") or {}).items():
        if team not in teams or role not in ROLES:
            raise ValueError(f"org_roles: {team}={role} is not a known team and role")
    for uid, folder in (plan.get("folders") or {}).items():
        if not re.fullmatch(r"[a-z0-9-]{1,40}", uid):
            raise ValueError(f"folder uid {uid!r} is not a valid Grafana uid")
        for team, level in (folder.get("permissions") or {}).items():
            if team not in teams or level not in PERMISSIONS:
                raise ValueError(f"folder {uid}: {team}={level} is not a known team and permission")
    return plan


class Grafana:
    def __init__(self, url: str, token: str | None = None, auth: tuple[str, str] | None = None,
                 dry_run: bool = False) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        elif auth:
            self.session.auth = auth
        self.dry_run = dry_run
        self.actions: list[str] = []

    def _call(self, method: str, path: str, **kwargs) -> Any:
        response = self.session.request(method, self.url + path, timeout=30, **kwargs)
        if response.status_code == 404 and method == "GET":
            return None
        response.raise_for_status()
        return response.json() if response.content else None

    def _write(self, description: str, method: str, path: str, body: dict) -> Any:
        self.actions.append(description)
        if self.dry_run:
            return {"id": -1, "uid": body.get("uid", "")}
        return self._call(method, path, json=body)

    def ensure_team(self, name: str, email: str) -> int:
        found = self._call("GET", "/api/teams/search", params={"name": name}) or {}
        for team in found.get("teams", []):
            if team["name"] == name:
                return team["id"]
        created = self._write(f"create team {name}", "POST", "/api/teams", {"name": name, "email": email})
        return created["teamId"] if "teamId" in created else created["id"]

    def ensure_folder(self, uid: str, title: str) -> None:
        existing = self._call("GET", f"/api/folders/{uid}")
        if existing is None:
            self._write(f"create folder {title}", "POST", "/api/folders", {"uid": uid, "title": title})
        elif existing.get("title") != title:
            self._write(f"rename folder {uid} to {title}", "PUT", f"/api/folders/{uid}",
                        {"title": title, "overwrite": True})

    def set_permissions(self, uid: str, items: list[dict[str, int]]) -> None:
        current = self._call("GET", f"/api/folders/{uid}/permissions") or []
        have = sorted((p.get("teamId", 0), p.get("permission")) for p in current if p.get("teamId"))
        want = sorted((item["teamId"], item["permission"]) for item in items)
        if have != want:
            self._write(f"set permissions of folder {uid}", "POST", f"/api/folders/{uid}/permissions",
                        {"items": items})


def apply(plan: dict[str, Any], grafana: Grafana) -> list[str]:
    team_ids = {name: grafana.ensure_team(name, spec.get("email", "")) for name, spec in plan["teams"].items()}
    for uid, folder in plan["folders"].items():
        grafana.ensure_folder(uid, folder["title"])
        items = [{"teamId": team_ids[team], "permission": PERMISSIONS[level]}
                 for team, level in sorted(folder.get("permissions", {}).items())]
        grafana.set_permissions(uid, items)
    return grafana.actions


def main() -> None:
    parser = argparse.ArgumentParser(description="Apply the Grafana access plan")
    parser.add_argument("plan", nargs="?", type=Path, default=Path(__file__).with_name("plan.yaml"))
    parser.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    args = parser.parse_args()
    url = os.environ.get("GRAFANA_URL")
    if not url:
        print("apply_access: error: set GRAFANA_URL (and GRAFANA_TOKEN or GRAFANA_USER/GRAFANA_PASSWORD)",
              file=sys.stderr)
        sys.exit(2)
    user, password = os.environ.get("GRAFANA_USER"), os.environ.get("GRAFANA_PASSWORD")
    grafana = Grafana(url, os.environ.get("GRAFANA_TOKEN"), (user, password) if user and password else None,
                      dry_run=args.dry_run)
    for action in apply(load_plan(args.plan), grafana):
        print(action)


if __name__ == "__main__":
    main()
