"""A real Grafana server for tests (OSS 9.2.8 from ../shared/tools/grafana, or GRAFANA_SERVER), provisioned from
deploy/grafana, and a small OpenID Connect provider that logs people in through Grafana's generic OAuth."""

from __future__ import annotations

import base64
import configparser
import json
import os
import secrets
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import yaml

from testbed.harness import free_port

REPO = Path(__file__).resolve().parent.parent
GRAFANA_DIR = REPO / "deploy" / "grafana"
CLIENT_ID, CLIENT_SECRET = "grafana", "test-client-secret"


def find_start_script() -> Path | None:
    """GRAFANA_SERVER (a start.sh, or a directory holding one), else ../shared/tools/grafana/start.sh."""
    candidates = [os.environ.get("GRAFANA_SERVER", ""), str(REPO.parent / "shared" / "tools" / "grafana")]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        script = path / "start.sh" if path.is_dir() else path
        if script.is_file():
            return script
    return None


@dataclass
class User:
    login: str
    email: str
    groups: list[str]


@dataclass
class OidcProvider:
    """Authorization code flow: /authorize answers at once for `next_login` (no login page), /token swaps the
    code for an access token (client credentials as HTTP Basic), /userinfo returns the user with `groups`."""

    users: dict[str, User]
    next_login: str = ""
    port: int = 0
    codes: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OidcProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    code = secrets.token_hex(8)
                    provider.codes[code] = provider.next_login
                    self.send_response(302)
                    self.send_header("Location", query["redirect_uri"] + "?" +
                                     urlencode({"code": code, "state": query.get("state", "")}))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    user = provider.users.get(provider.tokens.get(token, ""))
                    if user is None:
                        return self._json(401, {"error": "invalid_token"})
                    self._json(200, {"sub": user.login, "login": user.login, "email": user.email,
                                     "name": user.login.title(), "groups": user.groups})
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                body = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
                basic = base64.b64decode(self.headers.get("Authorization", "Basic ").split(" ", 1)[1] or b"").decode()
                if urlsplit(self.path).path != "/token" or basic != f"{CLIENT_ID}:{CLIENT_SECRET}":
                    return self._json(401, {"error": "invalid_client"})
                login = provider.codes.pop(body.get("code", [""])[0], None)
                if login is None:
                    return self._json(400, {"error": "invalid_grant"})
                token = secrets.token_hex(16)
                provider.tokens[token] = login
                self._json(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class GrafanaServer:
    pid: int
    port: int
    data_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        for _ in range(100):
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            threading.Event().wait(0.1)
        os.kill(self.pid, signal.SIGKILL)


def provisioning_tree(target: Path, dashboards: Path = GRAFANA_DIR / "dashboards") -> Path:
    """deploy/grafana/provisioning with the in-cluster dashboard paths pointed at the repository's files."""
    shutil.copytree(GRAFANA_DIR / "provisioning", target, dirs_exist_ok=True)
    providers_file = target / "dashboards" / "exporter-suite.yaml"
    providers = yaml.safe_load(providers_file.read_text())
    for provider in providers["providers"]:
        relative = Path(provider["options"]["path"]).relative_to("/var/lib/grafana/dashboards")
        provider["options"]["path"] = str(dashboards / relative)
    providers_file.write_text(yaml.safe_dump(providers))
    return target


def grafana_ini(target: Path, provider: OidcProvider, port: int) -> Path:
    """deploy/grafana/grafana.ini as is, with the identity provider's URLs and secret pointed at the test's."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(GRAFANA_DIR / "grafana.ini")
    secret = target.parent / "oauth-client-secret"
    secret.write_text(CLIENT_SECRET)
    ini["server"]["root_url"] = f"http://127.0.0.1:{port}/"
    oauth = ini["auth.generic_oauth"]
    oauth["client_secret"] = f"$__file{{{secret}}}"
    oauth["auth_url"] = f"{provider.url}/authorize"
    oauth["token_url"] = f"{provider.url}/token"
    oauth["api_url"] = f"{provider.url}/userinfo"
    with target.open("w") as handle:
        ini.write(handle)
    return target


def start_grafana(script: Path, workdir: Path, provider: OidcProvider | None = None,
                  provisioning: Path | None = None) -> GrafanaServer:
    """Start the real server on a free port with deploy/grafana's provisioning and (with a provider) grafana.ini."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GRAFANA_CACHE": os.environ.get("GRAFANA_CACHE", str(Path("/tmp") / "grafana-9.2.8-cache"))}
    if provider is not None:
        env["GF_CONFIG"] = str(grafana_ini(workdir / "grafana.ini", provider, port))
    provisioning = provisioning or provisioning_tree(workdir / "provisioning")
    result = subprocess.run(["bash", str(script), str(port), str(provisioning), str(workdir / "data")],
                            env=env, capture_output=True, text=True, timeout=180)
    if result.returncode != 0:
        raise RuntimeError(f"grafana did not start: {result.stderr.strip()[-2000:]}")
    pid = int(result.stdout.split()[1])
    return GrafanaServer(pid, port, workdir / "data")
