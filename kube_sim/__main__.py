"""Run the simulator: `python -m kube_sim --port 6443 --demo --kubeconfig /tmp/kube-sim.yaml`."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from kube_sim.kubelet import Kubelet
from kube_sim.server import Simulator
from kube_sim.workload import bulk_pods, seed_cluster, seed_demo, write_kubeconfig


def main() -> None:
    parser = argparse.ArgumentParser(description="Kubernetes API server simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6443)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--demo", action="store_true", help="add the demo workload (incl. a crash-looping pod)")
    parser.add_argument("--bulk-pods", type=int, default=0, help="add this many running pods")
    parser.add_argument("--kubeconfig", type=Path, help="write a kubeconfig for kubectl and the exporter here")
    parser.add_argument("--bookmark-interval", type=float, default=1.0)
    parser.add_argument("--backoff-base", type=float, default=1.0, help="first CrashLoopBackOff delay, seconds")
    args = parser.parse_args()
    sim = Simulator(host=args.host, port=args.port, bookmark_interval=args.bookmark_interval)
    Kubelet(sim.store, tuple(f"sim-node-{i}" for i in range(1, args.nodes + 1)),
            backoff_base=args.backoff_base).start()
    seed_cluster(sim.store, args.nodes)
    if args.demo:
        seed_demo(sim.store)
    if args.bulk_pods:
        bulk_pods(sim.store, args.bulk_pods)
    sim.start()
    if args.kubeconfig:
        write_kubeconfig(args.kubeconfig, sim.url)
    print(f"kube-sim serving on {sim.url}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    sim.stop()


if __name__ == "__main__":
    main()
