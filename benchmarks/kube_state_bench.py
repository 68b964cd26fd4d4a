"""The kube-state exporter against the API simulator holding N pods (plus a deployment, a service and a
configmap per 10 pods), for each N: initial sync time, scrape latency p50, scrape body size, RSS (steady and
peak) and event-to-metric latency p50/p99, next to kube-state-metrics' published figures (no KSM binary
runs here).

Event-to-metric latency: a node's taint is changed in the simulator while 200 pod updates per second churn,
and /metrics?resources=nodes is polled until the new value shows; the time from the write to the first scrape
showing it is one sample.

    python -m benchmarks.kube_state_bench [--pods 10000 100000] [--scrapes 20] [--events 50] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from kube_sim.resources import BY_PATH
from kube_sim.server import Simulator
from kube_sim.workload import bulk_pods, seed_cluster, write_kubeconfig
from testbed.harness import free_port, percentile, start_daemon, wait_for

PODS = BY_PATH[("", "v1", "pods")]
NODES = BY_PATH[("", "v1", "nodes")]
PUBLISHED = ("kube-state-metrics (published): ~200 MiB at 10k pods; scrape p50 0.26 s at 100 nodes; 4.4 ms to render "
             "3,000 objects; startup spikes 5-20x steady memory")
TARGETS = "targets: 100k pods synced < 60 s; scrape of 10k pods < 100 ms; RSS < 200 MiB at 10k; event p99 < 50 ms"


def peak_rss_mb(pid: int) -> tuple[float, float]:
    values = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def curl_seconds(url: str) -> float:
    """One scrape timed by curl (a C client, as Prometheus is a Go one): Python's HTTP client would spend longer
    decoding a 50 MB chunked body than the exporter spends producing it."""
    result = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_total}", url], capture_output=True,
                            text=True, timeout=300, check=True)
    return float(result.stdout)


def churn_pods(sim: Simulator, stop: threading.Event, names: list[tuple[str, str]], rate: float = 200.0) -> None:
    index = 0
    while not stop.is_set():
        namespace, name = names[index % len(names)]
        sim.store.mutate(PODS, namespace, name,
                         lambda pod, i=index: pod["metadata"]["labels"].update(churn=str(i)))
        index += 1
        time.sleep(1 / rate)


def event_latencies(sim: Simulator, port: int, events: int) -> list[float]:
    samples = []
    session = requests.Session()
    for i in range(events):
        marker = f"bench-{i}"
        written = time.perf_counter()
        sim.store.mutate(NODES, "", "sim-node-2", lambda node, m=marker: node["spec"].update(
            taints=[{"key": "bench", "value": m, "effect": "NoSchedule"}]))
        needle = f'value="{marker}"'
        while needle not in session.get(f"http://127.0.0.1:{port}/metrics", params={"resources": "nodes"},
                                        timeout=10).text:
            if time.perf_counter() - written > 10:
                raise RuntimeError("event never reached the metrics")
        samples.append(time.perf_counter() - written)
        time.sleep(0.02)
    return samples


def run_one(pods: int, scrapes: int, events: int, workdir: Path) -> dict:
    sim = Simulator(bookmark_interval=5.0)
    seed_cluster(sim.store)
    started = time.perf_counter()
    bulk_pods(sim.store, pods)
    seeded = time.perf_counter() - started
    sim.start()
    kubeconfig = write_kubeconfig(workdir / f"kubeconfig-{pods}.yaml", sim.url)
    port, telemetry = free_port(), free_port()
    start = time.perf_counter()
    exporter = start_daemon("kube-state-exporter", [
        sys.executable, "-m", "kube_state_exporter", f"--kubeconfig={kubeconfig}", "--host=127.0.0.1",
        f"--port={port}", "--telemetry-host=127.0.0.1", f"--telemetry-port={telemetry}"],
        port, str(workdir / f"exporter-{pods}.log"), ready_path="/healthz", timeout=60)
    try:
        wait_for(lambda: requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200,
                 timeout=600, interval=0.05, what="initial sync")
        sync_seconds = time.perf_counter() - start
        latencies = [curl_seconds(f"http://127.0.0.1:{port}/metrics") for _ in range(scrapes)]
        body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=120).content
        size = len(body)
        rss, peak = peak_rss_mb(exporter.pid)
        names = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in sim.store.list(PODS, None)[0][:2000]]
        stop = threading.Event()
        churner = threading.Thread(target=churn_pods, args=(sim, stop, names), daemon=True)
        churner.start()
        try:
            event_samples = event_latencies(sim, port, events)
        finally:
            stop.set()
            churner.join()
        return {"pods": pods, "objects": sum(sim.store.count(r) for r in BY_PATH.values()),
                "seed_s": seeded, "sync_s": sync_seconds, "scrape_p50_ms": percentile(latencies, 50) * 1000,
                "body_mb": size / 2**20, "series": body.count(b"\n") - body.count(b"\n#"),
                "rss_mb": rss, "peak_rss_mb": peak,
                "event_p50_ms": percentile(event_samples, 50) * 1000,
                "event_p99_ms": percentile(event_samples, 99) * 1000}
    finally:
        exporter.stop()
        sim.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--scrapes", type=int, default=20)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="kube-bench-") as workdir:
        for pods in args.pods:
            results.append(run_one(pods, args.scrapes, args.events, Path(workdir)))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print("kube-state exporter against the API simulator")
    print(f"{'pods':>8}{'objects':>9}{'sync s':>8}{'scrape p50 ms':>15}{'body MB':>9}{'series':>9}{'RSS MB':>8}"
          f"{'peak MB':>9}{'event p50 ms':>14}{'event p99 ms':>14}")
    for r in results:
        print(f"{r['pods']:>8}{r['objects']:>9}{r['sync_s']:>8.1f}{r['scrape_p50_ms']:>15.1f}{r['body_mb']:>9.1f}"
              f"{r['series']:>9}{r['rss_mb']:>8.0f}{r['peak_rss_mb']:>9.0f}{r['event_p50_ms']:>14.1f}"
              f"{r['event_p99_ms']:>14.1f}")
    print(PUBLISHED)
    print(TARGETS)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
