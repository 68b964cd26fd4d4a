"""Prometheus and Alertmanager for the local stack, single or highly available: N Prometheus replicas told apart by
the external label `replica`, M Alertmanagers gossiping on loopback ports, every Prometheus sending to every
Alertmanager. Config files are derived from deploy/ (never written by hand here) so the stack runs what ships."""

from __future__ import annotations

import copy
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from testbed.harness import Daemon, start_daemon

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
# Which piece of the stack serves each scrape job of prometheus-local.yml (jobs of pieces not started are dropped).
JOB_PIECES = {"node": "node", "kube-state": "kubernetes", "kube-state-telemetry": "kubernetes", "mysql": "mysql",
              "apps": "app"}


@dataclass(frozen=True)
class AlertmanagerPeer:
    web_port: int
    cluster_port: int  # 0: clustering off (a single Alertmanager)


def alertmanager_config(base: dict, slack_port: int, smtp_port: int) -> dict:
    """deploy/alertmanager/alertmanager.yml (or a test's variant of it) delivering to the local sinks: the Slack
    URL and SMTP server on loopback, no credential files."""
    config = copy.deepcopy(base)
    config["global"].update({"smtp_smarthost": f"127.0.0.1:{smtp_port}", "smtp_require_tls": False,
                             "slack_api_url": f"http://127.0.0.1:{slack_port}/slack"})
    for key in ("smtp_auth_username", "smtp_auth_password_file", "slack_api_url_file"):
        config["global"].pop(key, None)
    return config


def alertmanager_argv(binary: str, config: Path, data: Path, peer: AlertmanagerPeer,
                      peers: list[AlertmanagerPeer], extra: tuple[str, ...] = ()) -> list[str]:
    """One Alertmanager of the set; with more than one, a gossip cluster on loopback. The external URL is what
    Slack links and the web UI use: 127.0.0.1, which opens from a browser on this machine (the default is the host
    name, which may not)."""
    argv = [binary, f"--config.file={config}", f"--storage.path={data}",
            f"--web.listen-address=127.0.0.1:{peer.web_port}", f"--web.external-url=http://127.0.0.1:{peer.web_port}"]
    if len(peers) == 1:
        return [*argv, "--cluster.listen-address=", *extra]
    address = f"127.0.0.1:{peer.cluster_port}"
    argv += [f"--cluster.listen-address={address}", f"--cluster.advertise-address={address}"]
    argv += [f"--cluster.peer=127.0.0.1:{other.cluster_port}" for other in peers if other != peer]
    return [*argv, *extra]


def start_alertmanagers(binary: str, workdir: Path, config: dict, peers: list[AlertmanagerPeer],
                        extra: tuple[str, ...] = ()) -> list[Daemon]:
    """Start every Alertmanager (config and templates copied under workdir); stops those started if one fails."""
    directory = workdir / "alertmanager"
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(DEPLOY / "alertmanager" / "templates", directory / "templates")
    config_path = directory / "alertmanager.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    daemons: list[Daemon] = []
    try:
        for index, peer in enumerate(peers):
            name = "alertmanager" if len(peers) == 1 else f"alertmanager-{index}"
            argv = alertmanager_argv(binary, config_path, directory / f"data-{index}", peer, peers, extra)
            daemons.append(start_daemon(name, argv, peer.web_port, str(workdir / f"{name}.log"),
                                        ready_path="/-/ready", timeout=60))
    except BaseException:
        for daemon in daemons:
            daemon.stop()
        raise
    return daemons


def prometheus_config(text: str, pieces: frozenset[str], alertmanager_ports: list[int],
                      replica: str | None) -> dict:
    """prometheus-local.yml (ports already rewritten) for one replica: the jobs of the pieces started, every
    Alertmanager as a target, and `replica` as external label when there is more than one Prometheus."""
    config = yaml.safe_load(text)
    config["scrape_configs"] = [job for job in config["scrape_configs"] if JOB_PIECES[job["job_name"]] in pieces]
    (alertmanagers,) = config["alerting"]["alertmanagers"]
    alertmanagers["static_configs"] = [{"targets": [f"127.0.0.1:{port}" for port in alertmanager_ports]}]
    if replica is not None:
        config["global"].setdefault("external_labels", {})["replica"] = replica
    return config


def start_prometheus(binary: str, workdir: Path, name: str, port: int, config: dict, rules: Path) -> Daemon:
    directory = workdir / name
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(rules, directory / "rules")
    (directory / "prometheus.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return start_daemon(name, [
        binary, f"--config.file={directory / 'prometheus.yml'}", f"--storage.tsdb.path={directory / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}", f"--web.external-url=http://127.0.0.1:{port}"],
        port, str(workdir / f"{name}.log"), ready_path="/-/ready", timeout=60)
