"""The Kubernetes API simulator (in-process, with its kubelet) and a kubeconfig for kubectl and the exporter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kube_sim.kubelet import Kubelet
from kube_sim.server import Simulator
from kube_sim.workload import seed_cluster, write_kubeconfig


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
