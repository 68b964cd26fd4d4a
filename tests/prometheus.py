"""A real Prometheus (Debian's `prometheus`) started on a free loopback port with a given scrape config."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import requests
import yaml

from testbed.harness import Daemon, free_port, start_daemon, wait_for
from tests.conftest import require_binary


@contextlib.contextmanager
def running_prometheus(workdir: Path, scrape_configs: list[dict], rule_files: list[str] | None = None,
                       interval: str = "1s", flags: Sequence[str] = ()) -> Iterator[Daemon]:
    """`flags` are extra command line flags, e.g. --enable-feature=native-histograms."""
    binary = require_binary("prometheus")
    config = {"global": {"scrape_interval": interval, "evaluation_interval": interval},
              "scrape_configs": scrape_configs}
    if rule_files:
        config["rule_files"] = rule_files
    config_path = workdir / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config))
    port = free_port()
    daemon = start_daemon("prometheus", [binary, f"--config.file={config_path}",
                                         f"--storage.tsdb.path={workdir / 'tsdb'}",
                                         f"--web.listen-address=127.0.0.1:{port}", *flags],
                          port, str(workdir / "prometheus.log"), ready_path="/-/ready", timeout=60)
    try:
        yield daemon
    finally:
        daemon.stop()


def query(prometheus: Daemon, expr: str) -> list[dict]:
    response = requests.get(f"http://127.0.0.1:{prometheus.port}/api/v1/query", params={"query": expr}, timeout=10)
    response.raise_for_status()
    body = response.json()
    assert body["status"] == "success", body
    return body["data"]["result"]


def wait_for_series(prometheus: Daemon, expr: str, timeout: float = 60.0) -> list[dict]:
    """Poll a PromQL query until it returns at least one series."""
    return wait_for(lambda: query(prometheus, expr), timeout=timeout, interval=0.5, what=f"series for {expr!r}")


def targets(prometheus: Daemon) -> list[dict]:
    response = requests.get(f"http://127.0.0.1:{prometheus.port}/api/v1/targets", timeout=10)
    return response.json()["data"]["activeTargets"]
