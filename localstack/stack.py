"""Start and stop the whole local stack on loopback."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

from testbed.harness import Daemon, free_port, start_daemon, wait_for
from testbed.mariadb import MariaDB, start_mariadb

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
DEFAULT_PORTS = {"node": 9100, "mysql": 9104, "kube_state": 8080, "kube_telemetry": 8081, "kube_api": 6443,
                 "app": 8000, "prometheus": 9090, "alertmanager": 9093, "slack": 9095, "smtp": 2525, "mariadb": 3307}
MYSQL_PASSWORD = "local-stack-exporter"

log = logging.getLogger("localstack")


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found: scripts/run installs it with apt-get")
    return path


@dataclass
class LocalStack:
    workdir: Path
    free_ports: bool = False
    backoff_base: float = 2.0
    ports: dict[str, int] = field(default_factory=dict)
    daemons: list[Daemon] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Default ports where they are free (a Debian prometheus service may hold 9090, say), else any free one.
        self.ports = {name: port if not self.free_ports and port_free(port) else free_port()
                      for name, port in DEFAULT_PORTS.items()}
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.mariadb: MariaDB | None = None
        self._stop_traffic = threading.Event()
        self.slack = self.smtp = None

    # --- pieces ----------------------------------------------------------------------------------
    def _python(self, name: str, module: str, *args: str, port: int, ready_path: str = "/", env=None) -> Daemon:
        daemon = start_daemon(name, [sys.executable, "-m", module, *args], port, str(self.workdir / f"{name}.log"),
                              ready_path=ready_path, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO),
                                                                      **(env or {})})
        self.daemons.append(daemon)
        return daemon

    def _start_database(self) -> None:
        self.mariadb = start_mariadb(self.workdir / "mariadb", port=self.ports["mariadb"])
        self.mariadb.create_exporter_user(MYSQL_PASSWORD)
        self.mariadb.sql("CREATE DATABASE IF NOT EXISTS shop; CREATE TABLE IF NOT EXISTS shop.orders "
                         "(id INT PRIMARY KEY AUTO_INCREMENT, item VARCHAR(40));")
        my_cnf = self.workdir / "my.cnf"
        my_cnf.write_text(f"[client]\nuser=exporter\npassword={MYSQL_PASSWORD}\nhost=127.0.0.1\n"
                          f"port={self.ports['mariadb']}\n")
        my_cnf.chmod(0o600)
        self._python("mysql-exporter", "mysql_exporter", f"--config.my-cnf={my_cnf}",
                     f"--web.listen-address=127.0.0.1:{self.ports['mysql']}", port=self.ports["mysql"])

    def _start_kubernetes(self) -> None:
        kubeconfig = self.workdir / "kubeconfig.yaml"
        self._python("kube-sim", "kube_sim", f"--port={self.ports['kube_api']}", "--demo",
                     f"--kubeconfig={kubeconfig}", f"--backoff-base={self.backoff_base}",
                     port=self.ports["kube_api"], ready_path="/version")
        wait_for(kubeconfig.exists, what="kubeconfig")
        self._python("kube-state-exporter", "kube_state_exporter", f"--kubeconfig={kubeconfig}", "--host=127.0.0.1",
                     f"--port={self.ports['kube_state']}", "--telemetry-host=127.0.0.1",
                     f"--telemetry-port={self.ports['kube_telemetry']}",
                     "--metric-labels-allowlist=pods=[app,run],deployments=[app]",
                     port=self.ports["kube_state"], ready_path="/readyz")

    def _start_app(self) -> None:
        self._python("demo-app", "uvicorn", "localstack.demo_app:app", "--host=127.0.0.1",
                     f"--port={self.ports['app']}", "--log-level=warning", port=self.ports["app"],
                     ready_path="/healthz")
        threading.Thread(target=self._traffic, daemon=True, name="demo-traffic").start()

    def _traffic(self) -> None:
        """Steady demo traffic: orders, logins that succeed and fail, and a few slow MySQL queries."""
        session = requests.Session()
        base = f"http://127.0.0.1:{self.ports['app']}"
        count = 0
        while not self._stop_traffic.is_set():
            count += 1
            try:
                session.get(f"{base}/orders/{count % 50}", timeout=5)
                session.post(f"{base}/login", json={"user": "ann", "password": "secret" if count % 4 else "x"},
                             timeout=5)
                if self.mariadb and count % 20 == 0:
                    self.mariadb.sql(f"INSERT INTO shop.orders (item) VALUES ('item-{count}'); "
                                     "SELECT COUNT(*) FROM shop.orders;")
            except Exception:  # the stack is stopping, or a piece restarts: traffic just goes on
                pass
            self._stop_traffic.wait(0.2)

    def _start_alerting(self) -> None:
        from localstack.sinks import SlackReceiver, SMTPSink

        self.slack = SlackReceiver(self.ports["slack"], self.workdir / "slack-messages.jsonl")
        self.smtp = SMTPSink(self.ports["smtp"], self.workdir / "emails.jsonl")
        config = yaml.safe_load((DEPLOY / "alertmanager" / "alertmanager.yml").read_text())
        config["global"].update({"smtp_smarthost": f"127.0.0.1:{self.ports['smtp']}", "smtp_require_tls": False,
                                 "slack_api_url": f"http://127.0.0.1:{self.ports['slack']}/slack"})
        for key in ("smtp_auth_username", "smtp_auth_password_file", "slack_api_url_file"):
            config["global"].pop(key, None)
        directory = self.workdir / "alertmanager"
        shutil.rmtree(directory, ignore_errors=True)
        shutil.copytree(DEPLOY / "alertmanager" / "templates", directory / "templates")
        (directory / "alertmanager.yml").write_text(yaml.safe_dump(config, sort_keys=False))
        daemon = start_daemon("alertmanager", [
            binary("prometheus-alertmanager"), f"--config.file={directory / 'alertmanager.yml'}",
            f"--storage.path={directory / 'data'}", f"--web.listen-address=127.0.0.1:{self.ports['alertmanager']}",
            "--cluster.listen-address="], self.ports["alertmanager"], str(self.workdir / "alertmanager.log"),
            ready_path="/-/ready", timeout=60)
        self.daemons.append(daemon)

    def _start_prometheus(self) -> None:
        directory = self.workdir / "prometheus"
        shutil.rmtree(directory, ignore_errors=True)
        shutil.copytree(DEPLOY / "prometheus" / "rules", directory / "rules")
        text = (DEPLOY / "prometheus" / "prometheus-local.yml").read_text()
        for name, default in DEFAULT_PORTS.items():
            text = text.replace(f"127.0.0.1:{default}\"", f"127.0.0.1:{self.ports[name]}\"")
        (directory / "prometheus.yml").write_text(text)
        daemon = start_daemon("prometheus", [
            binary("prometheus"), f"--config.file={directory / 'prometheus.yml'}",
            f"--storage.tsdb.path={directory / 'data'}", f"--web.listen-address=127.0.0.1:{self.ports['prometheus']}"],
            self.ports["prometheus"], str(self.workdir / "prometheus.log"), ready_path="/-/ready", timeout=60)
        self.daemons.append(daemon)

    # --- whole stack -----------------------------------------------------------------------------
    def start(self) -> LocalStack:
        try:
            self._python("node-exporter", "node_exporter", f"--web.listen-address=127.0.0.1:{self.ports['node']}",
                         port=self.ports["node"], ready_path="/healthz")
            self._start_database()
            self._start_kubernetes()
            self._start_app()
            self._start_alerting()
            self._start_prometheus()
        except BaseException:
            self.stop()
            raise
        return self

    def urls(self) -> dict[str, str]:
        p = self.ports
        return {
            "Prometheus": f"http://127.0.0.1:{p['prometheus']}",
            "Alertmanager": f"http://127.0.0.1:{p['alertmanager']}",
            "Node exporter": f"http://127.0.0.1:{p['node']}/metrics",
            "MySQL exporter": f"http://127.0.0.1:{p['mysql']}/metrics",
            "Kube-state exporter": f"http://127.0.0.1:{p['kube_state']}/metrics",
            "Kube-state telemetry": f"http://127.0.0.1:{p['kube_telemetry']}/metrics",
            "Kubernetes API (simulator)": f"http://127.0.0.1:{p['kube_api']}  "
                                          f"(KUBECONFIG={self.workdir / 'kubeconfig.yaml'})",
            "Demo app": f"http://127.0.0.1:{p['app']}/metrics",
            "Slack messages received": f"http://127.0.0.1:{p['slack']}/messages",
            "Emails received": str(self.workdir / "emails.jsonl"),
        }

    def stop(self) -> None:
        self._stop_traffic.set()
        for daemon in reversed(self.daemons):
            daemon.stop()
        self.daemons.clear()
        if self.mariadb is not None:
            self.mariadb.stop()
            self.mariadb = None
        for sink in (self.slack, self.smtp):
            if sink is not None:
                sink.stop()
        self.slack = self.smtp = None


def wait_forever(stack: LocalStack) -> None:
    try:
        while all(d.process.poll() is None for d in stack.daemons):
            time.sleep(1)
        dead = [d.name for d in stack.daemons if d.process.poll() is not None]
        print(f"stopped: {', '.join(dead)} exited; see {stack.workdir}", file=sys.stderr)
    except KeyboardInterrupt:
        pass
