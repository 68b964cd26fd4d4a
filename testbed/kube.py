"""The Kubernetes API simulator (in-process, with its kubelet) and a kubeconfig for kubectl and the exporter;
our exporter and the real kube-state-metrics as processes against it."""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from kube_sim.kubelet import Kubelet
from kube_sim.server import Simulator
from kube_sim.workload import seed_cluster, write_kubeconfig
from testbed.harness import Daemon, free_port, http_ok, start_daemon

# The real kube-state-metrics is not installable from the registries: tests compare with it when KSM_BIN names it.
KSM_ENV = "KSM_BIN"
_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)')


@dataclass
class SimCluster:
    sim: Simulator
    kubelet: Kubelet
    kubeconfig: Path

    def stop(self) -> None:
        self.kubelet.stop()
        self.sim.stop()


def start_cluster(workdir: Path, backoff_base: float = 0.5, bookmark_interval: float = 0.5,
                  seed: bool = True) -> SimCluster:
    sim = Simulator(bookmark_interval=bookmark_interval)
    kubelet = Kubelet(sim.store, ("sim-node-1", "sim-node-2"), backoff_base=backoff_base, backoff_max=4.0,
                      run_for=0.3).start()
    if seed:
        seed_cluster(sim.store)
    sim.start()
    return SimCluster(sim, kubelet, write_kubeconfig(workdir / "kubeconfig.yaml", sim.url))


@dataclass
class KubeExporter:
    """One exporter process (ours or KSM): its metrics and telemetry ports."""

    daemon: Daemon
    telemetry_port: int

    @property
    def port(self) -> int:
        return self.daemon.port

    def metrics(self, **headers: str) -> str:
        return requests.get(f"http://127.0.0.1:{self.port}/metrics", headers=headers, timeout=60).text

    def telemetry(self) -> str:
        return requests.get(f"http://127.0.0.1:{self.telemetry_port}/metrics", timeout=30).text

    def stop(self) -> None:
        self.daemon.stop()


# Every exporter process started here, so a test that fails half way still has them stopped (tests/conftest.py).
STARTED: list[KubeExporter] = []


def start_ours(kubeconfig: Path, workdir: Path, *args: str, wait_ready: bool = True, env: dict | None = None,
               timeout: float = 60) -> KubeExporter:
    port, telemetry = free_port(), free_port()
    argv = [sys.executable, "-m", "kube_state_exporter", f"--kubeconfig={kubeconfig}", "--host=127.0.0.1",
            f"--port={port}", "--telemetry-host=127.0.0.1", f"--telemetry-port={telemetry}", *args]
    daemon = start_daemon("kube-state-exporter", argv, port, str(workdir / f"kse-{port}.log"),
                          ready_path="/readyz" if wait_ready else "/healthz", timeout=timeout,
                          env={**os.environ, **(env or {})})
    STARTED.append(KubeExporter(daemon, telemetry))
    return STARTED[-1]


def ksm_binary() -> Path | None:
    """The real kube-state-metrics named by KSM_BIN (a path, or a name on PATH); None when unset or not there."""
    named = os.environ.get(KSM_ENV, "")
    found = shutil.which(named) if named else None
    return Path(found).resolve() if found else None


def start_ksm(kubeconfig: Path, workdir: Path, *args: str, timeout: float = 120) -> KubeExporter:
    """The real kube-state-metrics (KSM_BIN; v2.20.0 is what the tests were written against) with its defaults
    (streaming lists included); up once its telemetry port's /readyz answers (use wait_synced for the objects)."""
    binary = ksm_binary()
    if binary is None:
        raise RuntimeError(f"no kube-state-metrics: set {KSM_ENV} to its binary")
    port, telemetry = free_port(), free_port()
    argv = [str(binary), f"--kubeconfig={kubeconfig}", "--host=127.0.0.1", f"--port={port}",
            "--telemetry-host=127.0.0.1", f"--telemetry-port={telemetry}", *args]
    daemon = start_daemon("kube-state-metrics", argv, port, str(workdir / f"ksm-{port}.log"),
                          timeout=timeout, env=dict(os.environ), ready=lambda: http_ok(telemetry, "/readyz"))
    STARTED.append(KubeExporter(daemon, telemetry))
    return STARTED[-1]


def samples(text: str) -> dict[str, float]:
    """`name{labels}` -> value for every sample line (labels as written)."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            match = _SAMPLE.match(line)
            if match:
                found[f"{match.group(1)}{{{match.group(2) or ''}}}"] = float(match.group(3))
    return found


def counter_sum(text: str, family: str, **labels: str) -> float:
    """The sum of a family's samples whose labels include `labels`."""
    total = 0.0
    for key, value in samples(text).items():
        name, _, body = key.partition("{")
        if name == family and all(f'{k}="{v}"' in body for k, v in labels.items()):
            total += value
    return total


def wait_synced(exporter: KubeExporter, family: str, count: int, timeout: float = 300) -> float:
    """Poll until the exposition holds `count` samples of `family` (e.g. kube_pod_info: one per pod); returns
    the seconds waited. How both exporters are judged synced, whatever their readiness endpoints say."""
    import time

    from testbed.harness import wait_for

    started = time.monotonic()
    prefix = f"\n{family}{{"

    def done() -> bool:
        return ("\n" + exporter.metrics()).count(prefix) >= count

    wait_for(done, timeout=timeout, interval=0.2, what=f"{count} {family} samples")
    return time.monotonic() - started
