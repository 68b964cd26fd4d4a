"""Apply access/plan.yaml to a Grafana through its HTTP API: teams and their members, folders, folder permissions.

Open-source Grafana maps an SSO login to an org role (grafana.ini) but to no team: team sync is an Enterprise
feature. This script closes that gap. Run on a schedule (a CronJob in deploy/), it keeps every team's members
equal to its identity-provider group, read from a members file (group -> logins or emails, exported from the
identity provider or kept in git), and converges folders and their permissions to the plan. Users who have not
logged in yet do not exist in Grafana: they join their team on the first run after their first login.

Idempotent: teams and folders are looked up before they are created; each folder's permission list and each
team's member list are replaced by the plan's only when they differ, so a second run changes nothing and a
hand-made change is converged back. Folders keep the plan's uids, which the dashboard providers use too.

    GRAFANA_URL=https://grafana.example.com GRAFANA_TOKEN=... \
        python apply_access.py [plan.yaml] [--members members.yaml] [--dry-run]

Exit codes: 0 done (or nothing to do), 1 Grafana refused a call (one line: method, path, status, message),
2 unusable invocation (no URL or credentials, unreadable plan or members file).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import yaml

PERMISSIONS = {"View": 1, "Edit": 2, "Admin": 4}
ROLES = {"Viewer", "Editor", "Admin"}


class PlanError(ValueError):
    """The plan or the members file cannot be used."""


class GrafanaError(RuntimeError):
    """Grafana answered a call with an error status."""

    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        super().__init__(f"{method} {path}: {status} {message}")


def load_plan(path: Path) -> dict[str, Any]:
    """Read and check the plan: every permission names a team of the plan and a known level."""
    plan = yaml.safe_load(path.read_text())
    teams = set(plan.get("teams") or {})
    for team, role in (plan.get("org_roles") or {}).items():
        if team not in teams or role not in ROLES:
            raise PlanError(f"org_roles: {team}={role} is not a known team and role")
    for uid, folder in (plan.get("folders") or {}).items():
        if not re.fullmatch(r"[a-z0-9-]{1,40}", uid):
            raise PlanError(f"folder uid {uid!r} is not a valid Grafana uid")
        for team, level in (folder.get("permissions") or {}).items():
            if team not in teams or level not in PERMISSIONS:
                raise PlanError(f"folder {uid}: {team}={level} is not a known team and permission")
    return plan


def load_members(path: Path | None) -> dict[str, list[str]] | None:
    """group -> logins or emails; None when no members file is given (team members are then left alone)."""
    if path is None:
        return None
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict) or not all(isinstance(v, list | type(None)) for v in data.values()):
        raise PlanError(f"{path}: expected a mapping of group name to a list of logins or emails")
    return {str(group): [str(member).lower() for member in members or []] for group, members in data.items()}


class Grafana:
    def __init__(self, url: str, token: str | None = None, auth: tuple[str, str] | None = None,
                 dry_run: bool = False) -> None:
        self.url = url.rstrip("/")
        self.headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        elif auth:
            self.headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        self.dry_run = dry_run
        self.actions: list[str] = []

    def _call(self, method: str, path: str, params: dict | None = None, json_body: Any = None) -> Any:
        """One API call (the standard library is enough: the sync job's image needs nothing more)."""
        query = "?" + urllib.parse.urlencode(params) if params else ""
        data = json.dumps(json_body).encode() if json_body is not None else None
        request = urllib.request.Request(self.url + path + query, data=data, method=method, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            if error.code == 404 and method == "GET":
                return None
            raw = error.read()
            try:
                message = json.loads(raw).get("message", "")
            except ValueError:
                message = raw.decode(errors="replace").strip()[:200]
            raise GrafanaError(method, path, error.code, message or error.reason) from None
        return json.loads(body) if body else None

    def _write(self, description: str, method: str, path: str, body: dict | None = None) -> Any:
        self.actions.append(description)
        if self.dry_run:
            return {"id": -1, "teamId": -1, "uid": (body or {}).get("uid", "")}
        return self._call(method, path, json_body=body)

    def ensure_team(self, name: str, email: str) -> int:
        found = self._call("GET", "/api/teams/search", params={"name": name}) or {}
        for team in found.get("teams", []):
            if team["name"] == name:
                return team["id"]
        created = self._write(f"create team {name}", "POST", "/api/teams", {"name": name, "email": email})
        return created["teamId"] if "teamId" in created else created["id"]

    def ensure_folder(self, uid: str, title: str) -> None:
        existing = self._call("GET", f"/api/folders/{uid}")
        if existing is not None:
            if existing.get("title") != title:
                self._write(f"rename folder {uid} to {title}", "PUT", f"/api/folders/{uid}",
                            {"title": title, "overwrite": True})
            return
        # A folder of this title under another uid (made by an older provisioning setup) is given the plan's uid.
        same_title = [f for f in self._call("GET", "/api/folders") or [] if f.get("title") == title]
        if same_title:
            self._write(f"change uid of folder {title} from {same_title[0]['uid']} to {uid}", "PUT",
                        f"/api/folders/{same_title[0]['uid']}", {"uid": uid, "title": title, "overwrite": True})
        else:
            self._write(f"create folder {title}", "POST", "/api/folders", {"uid": uid, "title": title})

    def set_permissions(self, uid: str, items: list[dict[str, int]]) -> None:
        current = self._call("GET", f"/api/folders/{uid}/permissions") or []  # None: not created yet (dry run)
        have = sorted((p.get("teamId", 0), p.get("permission")) for p in current if p.get("teamId"))
        want = sorted((item["teamId"], item["permission"]) for item in items)
        if have != want:
            self._write(f"set permissions of folder {uid}", "POST", f"/api/folders/{uid}/permissions",
                        {"items": items})

    def org_users(self) -> dict[str, int]:
        """login and email (lower case) -> user id, for every user of the org."""
        users: dict[str, int] = {}
        for user in self._call("GET", "/api/org/users") or []:
            for key in ("login", "email"):
                if user.get(key):
                    users[user[key].lower()] = user["userId"]
        return users

    def sync_members(self, team: str, team_id: int, wanted: set[int]) -> None:
        members = [] if team_id < 0 else self._call("GET", f"/api/teams/{team_id}/members") or []
        have = {member["userId"] for member in members}
        for user_id in sorted(wanted - have):
            self._write(f"add user {user_id} to team {team}", "POST", f"/api/teams/{team_id}/members",
                        {"userId": user_id})
        for user_id in sorted(have - wanted):
            self._write(f"remove user {user_id} from team {team}", "DELETE",
                        f"/api/teams/{team_id}/members/{user_id}")


def apply(plan: dict[str, Any], grafana: Grafana, members: dict[str, list[str]] | None = None) -> list[str]:
    """Converge Grafana to the plan; returns what was changed (empty when nothing was to do)."""
    team_ids = {name: grafana.ensure_team(name, spec.get("email", "")) for name, spec in plan["teams"].items()}
    for uid, folder in plan["folders"].items():
        grafana.ensure_folder(uid, folder["title"])
        items = [{"teamId": team_ids[team], "permission": PERMISSIONS[level]}
                 for team, level in sorted(folder.get("permissions", {}).items())]
        grafana.set_permissions(uid, items)
    if members is not None:
        users = grafana.org_users()
        for name, spec in plan["teams"].items():
            group = spec.get("group", name)
            wanted = {users[member] for member in members.get(group, []) if member in users}
            grafana.sync_members(name, team_ids[name], wanted)
    return grafana.actions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Apply the Grafana access plan (teams, members, folders)")
    parser.add_argument("plan", nargs="?", type=Path, default=Path(__file__).with_name("plan.yaml"))
    parser.add_argument("--members", type=Path, default=None,
                        help="YAML file: identity-provider group -> logins or emails; teams follow their group")
    parser.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    args = parser.parse_args(argv)
    url = os.environ.get("GRAFANA_URL")
    token = os.environ.get("GRAFANA_TOKEN")
    user, password = os.environ.get("GRAFANA_USER"), os.environ.get("GRAFANA_PASSWORD")
    if not url or not (token or (user and password)):
        print("apply_access: error: set GRAFANA_URL and GRAFANA_TOKEN (or GRAFANA_USER and GRAFANA_PASSWORD)",
              file=sys.stderr)
        return 2
    try:
        plan = load_plan(args.plan)
        members = load_members(args.members)
    except (OSError, yaml.YAMLError, PlanError) as exc:
        print(f"apply_access: error: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    grafana = Grafana(url, token, (user, password) if user and password else None, dry_run=args.dry_run)
    try:
        actions = apply(plan, grafana, members)
    except GrafanaError as exc:
        print(f"apply_access: error: {exc}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        print(f"apply_access: error: cannot reach {url}: {reason}", file=sys.stderr)
        return 1
    for action in actions:
        print(("would " if args.dry_run else "") + action)
    return 0


if __name__ == "__main__":
    sys.exit(main())
