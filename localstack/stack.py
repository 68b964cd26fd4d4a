"""Start and stop the whole local stack on loopback."""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

from localstack.grafana import AUDIENCES, HOW_TO_GET, LocalGrafana, start_local_grafana
from localstack.monitoring import (
    DEPLOY,
    REPO,
    AlertmanagerPeer,
    alertmanager_config,
    prometheus_config,
    start_alertmanagers,
    start_prometheus,
)
from testbed.grafana import find_grafana
from testbed.harness import Daemon, free_port, start_daemon, wait_for
from testbed.mariadb import MariaDB, start_mariadb

DEFAULT_PORTS = {"node": 9100, "mysql": 9104, "kube_state": 8080, "kube_telemetry": 8081, "kube_api": 6443,
                 "app": 8000, "prometheus": 9090, "alertmanager": 9093, "slack": 9095, "smtp": 2525, "mariadb": 3307,
                 "grafana": 3000}
# --ha: a second Prometheus, two more Alertmanagers, and the three Alertmanagers' gossip ports.
HA_PORTS = {"prometheus_1": 9091, "alertmanager_1": 9193, "alertmanager_2": 9293,
            "cluster_0": 9094, "cluster_1": 9194, "cluster_2": 9294}
PIECES = frozenset({"node", "mysql", "kubernetes", "app"})
PROMETHEUS_REPLICAS = 2
ALERTMANAGER_REPLICAS = 3
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
    """The stack. `ha`: two Prometheus replicas and three clustered Alertmanagers instead of one of each.
    `pieces`: which sources to start (the scrape jobs of the others are dropped). Tests may replace the
    Alertmanager config (`alertmanager_base`, a dict like deploy/alertmanager/alertmanager.yml), the rules
    directory, Prometheus' global settings and Alertmanager flags, to run on short timers. `grafana`: start the
    installed Grafana, if any (localstack/grafana.py; `grafana_note` says how to get one when there is none)."""

    workdir: Path
    free_ports: bool = False
    backoff_base: float = 2.0
    ha: bool = False
    pieces: frozenset[str] = PIECES
    alertmanager_base: dict | None = None
    rules: Path = DEPLOY / "prometheus" / "rules"
    prometheus_global: dict = field(default_factory=dict)
    alertmanager_flags: tuple[str, ...] = ()
    grafana: bool = False
    ports: dict[str, int] = field(default_factory=dict)
    daemons: list[Daemon] = field(default_factory=list)
    alertmanagers: list[Daemon] = field(default_factory=list)
    prometheus: list[Daemon] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Default ports where they are free (a Debian prometheus service may hold 9090, say), else any free one.
        wanted = {**DEFAULT_PORTS, **(HA_PORTS if self.ha else {})}
        taken: set[int] = set()
        for name, port in wanted.items():
            chosen = port if not self.free_ports and port not in taken and port_free(port) else free_port()
            while chosen in taken:  # the kernel may hand the same free port out twice
                chosen = free_port()
            taken.add(chosen)
            self.ports[name] = chosen
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.mariadb: MariaDB | None = None
        self._stop_traffic = threading.Event()
        self.slack = self.smtp = None
        self.local_grafana: LocalGrafana | None = None
        self.grafana_note = ""

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
        kubeconfig = self.kubeconfig
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

    @property
    def prometheus_ports(self) -> list[int]:
        return [self.ports["prometheus"]] + ([self.ports["prometheus_1"]] if self.ha else [])

    @property
    def alertmanager_ports(self) -> list[int]:
        return [self.ports["alertmanager"]] + ([self.ports["alertmanager_1"], self.ports["alertmanager_2"]]
                                               if self.ha else [])

    def _start_alerting(self) -> None:
        from localstack.sinks import SlackReceiver, SMTPSink

        self.slack = SlackReceiver(self.ports["slack"], self.workdir / "slack-messages.jsonl")
        self.smtp = SMTPSink(self.ports["smtp"], self.workdir / "emails.jsonl")
        base = self.alertmanager_base or yaml.safe_load((DEPLOY / "alertmanager" / "alertmanager.yml").read_text())
        config = alertmanager_config(base, self.ports["slack"], self.ports["smtp"])
        peers = [AlertmanagerPeer(port, self.ports[f"cluster_{index}"] if self.ha else 0)
                 for index, port in enumerate(self.alertmanager_ports)]
        self.alertmanagers = start_alertmanagers(binary("prometheus-alertmanager"), self.workdir, config, peers,
                                                 self.alertmanager_flags)
        self.daemons += self.alertmanagers

    def _start_prometheus(self) -> None:
        text = (DEPLOY / "prometheus" / "prometheus-local.yml").read_text()
        for name, default in DEFAULT_PORTS.items():
            text = text.replace(f"127.0.0.1:{default}\"", f"127.0.0.1:{self.ports[name]}\"")
        for index, port in enumerate(self.prometheus_ports):
            name = f"prometheus-{index}" if self.ha else "prometheus"
            config = prometheus_config(text, self.pieces, self.alertmanager_ports, name if self.ha else None)
            config["global"].update(self.prometheus_global)
            daemon = start_prometheus(binary("prometheus"), self.workdir, name, port, config, self.rules)
            self.prometheus.append(daemon)
            self.daemons.append(daemon)

    @property
    def datasource_url(self) -> str:
        """What Grafana queries: the (first) Prometheus."""
        return f"http://127.0.0.1:{self.prometheus_ports[0]}"

    def _start_grafana(self) -> None:
        binary = find_grafana()
        if binary is None:
            self.grafana_note = HOW_TO_GET
            return
        self.local_grafana = start_local_grafana(binary, self.workdir / "grafana", self.ports["grafana"],
                                                 self.datasource_url)
        self.grafana_note = (f"Grafana logins: {', '.join(AUDIENCES)} (and admin); their passwords are in "
                             f"{self.local_grafana.credentials}")

    # --- whole stack -----------------------------------------------------------------------------
    def start(self) -> LocalStack:
        try:
            if "node" in self.pieces:
                self._python("node-exporter", "node_exporter",
                             f"--web.listen-address=127.0.0.1:{self.ports['node']}", port=self.ports["node"],
                             ready_path="/healthz")
            if "mysql" in self.pieces:
                self._start_database()
            if "kubernetes" in self.pieces:
                self._start_kubernetes()
            if "app" in self.pieces:
                self._start_app()
            self._start_alerting()
            self._start_prometheus()
            if self.grafana:
                self._start_grafana()
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def kubeconfig(self) -> Path:
        return self.workdir / "kubeconfig.yaml"

    @property
    def kubectl_line(self) -> str:
        """Ready to paste: the simulated cluster's pods (its kubeconfig is in the work directory)."""
        return f"kubectl --kubeconfig {shlex.quote(str(self.kubeconfig))} get pods -A"

    def urls(self) -> dict[str, str]:
        p = self.ports
        urls = {}
        for index, port in enumerate(self.prometheus_ports):
            urls["Prometheus" + (f" (replica prometheus-{index})" if self.ha else "")] = f"http://127.0.0.1:{port}"
        for index, port in enumerate(self.alertmanager_ports):
            urls["Alertmanager" + (f" {index} (clustered)" if self.ha else "")] = f"http://127.0.0.1:{port}"
        pieces = {
            "node": {"Node exporter": f"http://127.0.0.1:{p['node']}/metrics"},
            "mysql": {"MySQL exporter": f"http://127.0.0.1:{p['mysql']}/metrics"},
            "kubernetes": {"Kube-state exporter": f"http://127.0.0.1:{p['kube_state']}/metrics",
                           "Kube-state telemetry": f"http://127.0.0.1:{p['kube_telemetry']}/metrics",
                           "Kubernetes API (simulator)": f"http://127.0.0.1:{p['kube_api']}"},
            "app": {"Demo app": f"http://127.0.0.1:{p['app']}/"},
        }
        for piece, entries in pieces.items():
            if piece in self.pieces:
                urls.update(entries)
        if self.local_grafana is not None:
            urls["Grafana (dashboards; logins below)"] = self.local_grafana.url
        urls["Slack messages received"] = f"http://127.0.0.1:{p['slack']}/messages"
        urls["Emails received"] = str(self.workdir / "emails.jsonl")
        return urls

    def stop(self) -> None:
        self._stop_traffic.set()
        if self.local_grafana is not None:
            self.local_grafana.stop()
            self.local_grafana = None
        for daemon in reversed(self.daemons):
            daemon.stop()
        self.daemons.clear()
        self.alertmanagers.clear()
        self.prometheus.clear()
        if self.mariadb is not None:
            self.mariadb.stop()
            self.mariadb = None
        for sink in (self.slack, self.smtp):
            if sink is not None:
                sink.stop()
        self.slack = self.smtp = None


def wait_forever(stack: LocalStack) -> bool:
    """Until Ctrl-C (True) or until a daemon exits (False: something failed, its log is in the work directory)."""
    try:
        while all(d.process.poll() is None for d in stack.daemons):
            time.sleep(1)
        dead = [d.name for d in stack.daemons if d.process.poll() is not None]
        print(f"stopped: {', '.join(dead)} exited; see {stack.workdir}", file=sys.stderr)
        return False
    except KeyboardInterrupt:
        return True
