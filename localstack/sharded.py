"""The scale-out layout on loopback (`python -m localstack --sharded`): N Prometheus shards, each scraping only the
targets whose `hashmod` of the address equals its shard number, evaluating the suite's rules on its own data and
sending to Alertmanager, all writing through remote_write to one VictoriaMetrics (Debian's `victoria-metrics`), the
global view that PromQL queries go to.

`shard_config` is the one transformation from a Prometheus config to a shard's config: the local stack applies it to
prometheus-local.yml, deploy/prometheus/sharded/generate.py to prometheus.yml (the in-cluster shards)."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass

from localstack.monitoring import DEPLOY, prometheus_config, start_prometheus
from localstack.stack import DEFAULT_PORTS, LocalStack, binary, port_free
from testbed.harness import Daemon, free_port, start_daemon

SHARDS = 2
VICTORIA_METRICS_PORT = 8428
# Which port of the stack each scrape job of prometheus-local.yml reaches (a job's only target).
JOB_PORTS = {"node": "node", "kube-state": "kube_state", "kube-state-telemetry": "kube_telemetry", "mysql": "mysql",
             "apps": "app"}


def hashmod(value: str, modulus: int) -> int:
    """Prometheus' `hashmod` relabel action: the last 8 bytes of the MD5 of the value, big-endian, modulo."""
    return int.from_bytes(hashlib.md5(value.encode()).digest()[8:], "big") % modulus


def shard_config(config: dict, shard: int, shards: int, remote_write_url: str) -> dict:
    """One shard's Prometheus config: every scrape job keeps only the targets whose address hashes to `shard`
    (after the job's own relabelling, so the address hashed is the one scraped); the external label `shard`; every
    sample written to the central store without `replica` (the replicas of a shard write the same series, which
    the store deduplicates); alerts sent without `shard` or `replica` (the same alert from any Prometheus is one
    alert, also after a resharding moved its target)."""
    config = copy.deepcopy(config)
    config["global"].setdefault("external_labels", {})["shard"] = str(shard)
    for job in config["scrape_configs"]:
        job["relabel_configs"] = [
            *job.get("relabel_configs", []),
            {"source_labels": ["__address__"], "modulus": shards, "target_label": "__tmp_hash", "action": "hashmod"},
            {"source_labels": ["__tmp_hash"], "regex": str(shard), "action": "keep"},
        ]
    alert_relabel = config.setdefault("alerting", {}).setdefault("alert_relabel_configs", [])
    alert_relabel.append({"action": "labeldrop", "regex": "shard"})
    config["remote_write"] = [{"url": remote_write_url,
                               "write_relabel_configs": [{"action": "labeldrop", "regex": "replica"}]}]
    return config


def victoria_metrics_argv(executable: str, data: str, port: int) -> list[str]:
    """Single-node VictoriaMetrics on loopback. Points become visible to queries 1 s after they arrive (the default
    30 s hides a freshly started stack from its own queries)."""
    return [executable, f"-storageDataPath={data}", f"-httpListenAddr=127.0.0.1:{port}", "-retentionPeriod=1d",
            "-search.latencyOffset=1s", "-loggerLevel=WARN"]


def start_victoria_metrics(workdir, port: int) -> Daemon:
    return start_daemon("victoria-metrics", victoria_metrics_argv(binary("victoria-metrics"),
                                                                  str(workdir / "victoria-metrics"), port),
                        port, str(workdir / "victoria-metrics.log"), ready_path="/health", timeout=60)


@dataclass
class ShardedStack(LocalStack):
    """LocalStack whose single Prometheus is replaced by `shards` Prometheus shards (ports `prometheus`,
    `prometheus_1`, ...) writing to VictoriaMetrics (port `victoria_metrics`). With the handful of local targets a
    shard could end up with none; then one exporter moves to another free port until every shard has a target."""

    shards: int = SHARDS
    victoria_metrics: Daemon | None = None

    def __post_init__(self) -> None:
        if self.ha or self.shards < 2:
            raise ValueError("the sharded stack runs one Prometheus per shard, at least two shards, and no --ha")
        super().__post_init__()
        wanted = {f"prometheus_{index}": DEFAULT_PORTS["prometheus"] + index for index in range(1, self.shards)}
        wanted["victoria_metrics"] = VICTORIA_METRICS_PORT
        for name, port in wanted.items():
            taken = set(self.ports.values())
            chosen = port if not self.free_ports and port not in taken and port_free(port) else free_port()
            while chosen in taken:
                chosen = free_port()
            self.ports[name] = chosen
        self._spread_targets()

    # --- which shard scrapes what ----------------------------------------------------------------------------------
    @property
    def jobs(self) -> list[str]:
        return [job["job_name"] for job in self._base_config()["scrape_configs"]]

    def target(self, job: str) -> str:
        return f"127.0.0.1:{self.ports[JOB_PORTS[job]]}"

    def expected_shards(self) -> dict[str, int]:
        """Target address -> the shard that scrapes it, computed as Prometheus' hashmod does."""
        return {self.target(job): hashmod(self.target(job), self.shards) for job in self.jobs}

    def _spread_targets(self) -> None:
        for attempt in range(200):
            if len(set(self.expected_shards().values())) == min(self.shards, len(self.jobs)):
                return
            key = JOB_PORTS[self.jobs[attempt % len(self.jobs)]]
            taken = set(self.ports.values())
            port = free_port()
            while port in taken:
                port = free_port()
            self.ports[key] = port
        raise RuntimeError(f"could not give each of {self.shards} shards a target")

    # --- Prometheus shards and the central store -------------------------------------------------------------------
    @property
    def prometheus_ports(self) -> list[int]:
        return [self.ports["prometheus"]] + [self.ports[f"prometheus_{index}"] for index in range(1, self.shards)]

    @property
    def datasource_url(self) -> str:
        """What Grafana queries: the global view of every shard."""
        return f"http://127.0.0.1:{self.ports['victoria_metrics']}"

    @property
    def remote_write_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['victoria_metrics']}/api/v1/write"

    def _base_config(self) -> dict:
        text = (DEPLOY / "prometheus" / "prometheus-local.yml").read_text()
        for name, default in DEFAULT_PORTS.items():
            text = text.replace(f"127.0.0.1:{default}\"", f"127.0.0.1:{self.ports[name]}\"")
        return prometheus_config(text, self.pieces, self.alertmanager_ports, None)

    def shard_configs(self) -> list[dict]:
        configs = []
        for shard in range(self.shards):
            config = self._base_config()
            config["global"]["external_labels"]["replica"] = f"prometheus-shard-{shard}"
            config["global"].update(self.prometheus_global)
            configs.append(shard_config(config, shard, self.shards, self.remote_write_url))
        return configs

    def _start_prometheus(self) -> None:
        self.victoria_metrics = start_victoria_metrics(self.workdir, self.ports["victoria_metrics"])
        self.daemons.append(self.victoria_metrics)
        for shard, (port, config) in enumerate(zip(self.prometheus_ports, self.shard_configs(), strict=True)):
            daemon = start_prometheus(binary("prometheus"), self.workdir, f"prometheus-shard-{shard}", port, config,
                                      self.rules)
            self.prometheus.append(daemon)
            self.daemons.append(daemon)

    def urls(self) -> dict[str, str]:
        urls = {"VictoriaMetrics (all shards' series; /api/v1/query)":
                f"http://127.0.0.1:{self.ports['victoria_metrics']}"}
        for shard, port in enumerate(self.prometheus_ports):
            urls[f"Prometheus shard {shard} of {self.shards}"] = f"http://127.0.0.1:{port}"
        urls.update({name: url for name, url in super().urls().items() if not name.startswith("Prometheus")})
        return urls

    def stop(self) -> None:
        super().stop()
        self.victoria_metrics = None
