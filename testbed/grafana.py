"""A real Grafana server (GRAFANA_SERVER, else grafana-server or grafana on PATH; the tests were written against
OSS 9.2.8), provisioned from deploy/grafana, and a small OpenID Connect provider that logs people in through
Grafana's generic OAuth. No registry here ships Grafana: tests that need it run only where GRAFANA_SERVER names one."""

from __future__ import annotations

import base64
import configparser
import json
import os
import secrets
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import yaml

from testbed.harness import free_port, http_ok, wait_for

REPO = Path(__file__).resolve().parent.parent
GRAFANA_DIR = REPO / "deploy" / "grafana"
CLIENT_ID, CLIENT_SECRET = "grafana", "test-client-secret"
GRAFANA_ENV = "GRAFANA_SERVER"
BINARIES = ("grafana-server", "grafana")
# Where Grafana's own packages put its home (conf/defaults.ini, public/) when the binary is elsewhere (/usr/sbin).
PACKAGED_HOMES = (Path("/usr/share/grafana"),)


def find_grafana(named_only: bool = False) -> Path | None:
    """GRAFANA_SERVER (the grafana-server or grafana binary, or a Grafana home holding bin/), else (unless
    named_only) grafana-server or grafana on PATH. None when there is none."""
    named = os.environ.get(GRAFANA_ENV, "")
    if named:
        candidates = [str(Path(named) / "bin" / name) for name in BINARIES] if Path(named).is_dir() else [named]
    elif named_only:
        return None
    else:
        candidates = list(BINARIES)
    for candidate in candidates:
        found = shutil.which(candidate)
        if found and home_of(Path(found)) is not None:
            return Path(found)
    return None


def home_of(binary: Path) -> Path | None:
    """Grafana's home directory for a binary: the parent of its bin/ (a release archive) or a packaged home."""
    for candidate in (binary.resolve().parent.parent, binary.parent.parent, *PACKAGED_HOMES):
        if (candidate / "conf" / "defaults.ini").is_file():
            return candidate
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
    process: subprocess.Popen
    port: int
    data_dir: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


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


def start_grafana(binary: Path, workdir: Path, provider: OidcProvider | None = None,
                  provisioning: Path | None = None, config: Path | None = None, port: int | None = None,
                  timeout: float = 180) -> GrafanaServer:
    """Start the real server on loopback (a free port unless given) with deploy/grafana's provisioning and, with
    a provider, deploy/grafana's grafana.ini (else `config`, else Grafana's defaults: admin/admin, login form);
    returns once /api/health answers. Its log is workdir/data/server.log."""
    home = home_of(binary)
    if home is None:
        raise RuntimeError(f"{binary}: no Grafana home (conf/defaults.ini) beside it")
    port = port or free_port()
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    if provider is not None:
        config = grafana_ini(workdir / "grafana.ini", provider, port)
    elif config is None:
        config = workdir / "grafana.ini"
        config.write_text("")  # not the home's conf/custom.ini nor /etc/grafana: only defaults and the env below
    provisioning = provisioning or provisioning_tree(workdir / "provisioning")
    argv = [str(binary), *(["server"] if binary.name == "grafana" else []), f"--homepath={home}",
            f"--config={config}"]
    env = {**os.environ, "GF_SERVER_HTTP_ADDR": "127.0.0.1", "GF_SERVER_HTTP_PORT": str(port),
           "GF_PATHS_DATA": str(data), "GF_PATHS_LOGS": str(data / "log"), "GF_PATHS_PLUGINS": str(data / "plugins"),
           "GF_PATHS_PROVISIONING": str(provisioning), "GF_ANALYTICS_REPORTING_ENABLED": "false",
           "GF_ANALYTICS_CHECK_FOR_UPDATES": "false",
           # grafana.ini's home page path is the in-cluster one; here the same dashboard is the repository's file
           "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH": str(GRAFANA_DIR / "dashboards" / "Overview" / "overview.json")}
    with (data / "server.log").open("ab") as log:
        process = subprocess.Popen(argv, cwd=home, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = GrafanaServer(process, port, data)
    try:
        wait_for(lambda: process.poll() is not None or http_ok(port, "/api/health"), timeout=timeout, interval=0.3,
                 what=f"grafana's /api/health on port {port}")
    except BaseException:
        server.stop()
        raise
    if process.returncode is not None:
        raise RuntimeError(f"grafana exited with {process.returncode}: {server.log()[-2000:]}")
    return server
