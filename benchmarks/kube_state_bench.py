"""The kube-state exporter beside the real kube-state-metrics v2.20.0 (Go), in one run, on the same simulated
cluster: a realistic mix of every resource (kube_sim.mix: pods in every phase, a workload with its service,
endpoints, endpoint slice, HPA, PDB, configmap, secret and volumes per 10 pods, PVs, RBAC...), every default
resource enabled in both. For each pod count: sync time, steady and peak RSS, scrape p50 plain and gzip (both
started with --enable-gzip-encoding), printed side by side with ours/KSM ratios against the targets. The two run
one after the other against the same simulator, so neither competes with the other for the CPU.

Sync: ours is synced when /readyz answers 200 (every resource listed); KSM when the simulator has written the
initial-events-end bookmark of each of its streaming lists and a scrape shows every pod and as many series as
the scrape after it (the start of that scrape is the sync time; polling only starts once the simulator has
written everything). Event-to-metric latency (ours only: KSM cannot narrow a scrape to nodes): a node's taint
is changed while 200 pod updates per second churn, /metrics?resources=nodes is polled until the new value
shows.

    KSM_BIN=path/to/kube-state-metrics python -m benchmarks.kube_state_bench [--pods 10000 50000] [--ours-only 100000]
        [--scrapes 20] [--json]           # without KSM_BIN: our own figures only
    python -m benchmarks.kube_state_bench --pods 300 --scrapes 2 --events 3 --json    # the smoke test's run
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

from kube_sim.mix import mix
from kube_sim.resources import BY_PATH
from kube_sim.server import Simulator
from kube_sim.workload import seed_cluster, write_kubeconfig
from testbed.harness import free_port, http_ok, percentile, start_daemon, wait_for
from testbed.kube import KSM_ENV, ksm_binary

PODS = BY_PATH[("", "v1", "pods")]
NODES = BY_PATH[("", "v1", "nodes")]
TARGETS = {"sync_s": 0.8, "rss_mb": 0.8, "peak_rss_mb": 0.8, "scrape_p50_ms": 0.5, "scrape_gzip_p50_ms": 0.5}


def peak_rss_mb(pid: int) -> tuple[float, float]:
    values = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def curl_seconds(url: str, gzip: bool = False) -> float:
    """One scrape timed by curl (a C client, as Prometheus is a Go one): Python's HTTP client would spend longer
    decoding a 50 MB chunked body than the exporter spends producing it. With gzip the compressed body is
    received, not inflated (the exporter's cost is what is measured)."""
    headers = ["-H", "Accept-Encoding: gzip"] if gzip else []
    result = subprocess.run(["curl", "-s", "-o", "/dev/null", *headers, "-w", "%{time_total}", url],
                            capture_output=True, text=True, timeout=600, check=True)
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


def scrape_figures(port: int, scrapes: int) -> dict:
    url = f"http://127.0.0.1:{port}/metrics"
    plain = [curl_seconds(url) for _ in range(scrapes)]
    gzipped = [curl_seconds(url, gzip=True) for _ in range(scrapes)]
    return {"scrape_p50_ms": percentile(plain, 50) * 1000, "scrape_gzip_p50_ms": percentile(gzipped, 50) * 1000}


def run_ksm(sim: Simulator, kubeconfig: Path, pods: int, scrapes: int, workdir: Path) -> dict:
    binary = ksm_binary()
    assert binary is not None, f"{KSM_ENV} names no kube-state-metrics"
    port, telemetry = free_port(), free_port()
    before = len(sim.initial_events_sent)
    start = time.perf_counter()
    ksm = start_daemon("kube-state-metrics", [
        str(binary), f"--kubeconfig={kubeconfig}", "--host=127.0.0.1", f"--port={port}",
        "--telemetry-host=127.0.0.1", f"--telemetry-port={telemetry}", "--enable-gzip-encoding"],
        port, str(workdir / f"ksm-{pods}.log"), timeout=60, env=dict(os.environ),
        ready=lambda: http_ok(telemetry, "/readyz"))
    try:
        expected = 32  # KSM's default resources, each one streaming list
        wait_for(lambda: len({r for r, _ in sim.initial_events_sent[before:]}) >= expected, timeout=1200,
                 interval=0.05, what="KSM's streaming lists")
        # The events are written; KSM may still be applying the last of them (socket and client-go buffers):
        # synced at the start of the first scrape that shows every pod and as many series as the next one.
        previous: tuple[float, int] | None = None
        while True:
            asked = time.perf_counter()
            body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=600).content
            if body.count(b"\nkube_pod_info{") >= pods:
                if previous is not None and previous[1] == series(body):
                    break
                previous = (asked, series(body))
            if asked - start > 1200:
                raise RuntimeError(f"KSM holds {body.count(b'kube_pod_info{')} pods, not {pods}")
            time.sleep(0.05)
        sync = previous[0] - start
        figures = scrape_figures(port, scrapes)
        rss, peak = peak_rss_mb(ksm.pid)
        return {"sync_s": sync, "rss_mb": rss, "peak_rss_mb": peak, "series": series(body), **figures}
    finally:
        ksm.stop()


def series(body: bytes) -> int:
    return body.count(b"\n") - body.count(b"\n#") - (0 if body.startswith(b"#") else 1)


def run_ours(sim: Simulator, kubeconfig: Path, pods: int, scrapes: int, events: int, workdir: Path) -> dict:
    port, telemetry = free_port(), free_port()
    start = time.perf_counter()
    exporter = start_daemon("kube-state-exporter", [
        sys.executable, "-m", "kube_state_exporter", f"--kubeconfig={kubeconfig}", "--host=127.0.0.1",
        f"--port={port}", "--telemetry-host=127.0.0.1", f"--telemetry-port={telemetry}", "--enable-gzip-encoding"],
        port, str(workdir / f"exporter-{pods}.log"), ready_path="/healthz", timeout=60)
    try:
        wait_for(lambda: requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200,
                 timeout=1200, interval=0.05, what="initial sync")
        sync_seconds = time.perf_counter() - start
        figures = scrape_figures(port, scrapes)
        body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=600).content
        rss, peak = peak_rss_mb(exporter.pid)
        result = {"sync_s": sync_seconds, "rss_mb": rss, "peak_rss_mb": peak, "series": series(body),
                  "body_mb": len(body) / 2**20, **figures}
        if events:
            names = [(p["metadata"]["namespace"], p["metadata"]["name"])
                     for p in sim.store.list(PODS, None)[0][:2000]]
            stop = threading.Event()
            churner = threading.Thread(target=churn_pods, args=(sim, stop, names), daemon=True)
            churner.start()
            try:
                event_samples = event_latencies(sim, port, events)
            finally:
                stop.set()
                churner.join()
            result.update(event_p50_ms=percentile(event_samples, 50) * 1000,
                          event_p99_ms=percentile(event_samples, 99) * 1000)
        return result
    finally:
        exporter.stop()


def run_one(pods: int, scrapes: int, events: int, workdir: Path, with_ksm: bool) -> dict:
    sim = Simulator(bookmark_interval=5.0)
    seed_cluster(sim.store)
    started = time.perf_counter()
    mix(sim.store, pods, namespaces=max(5, pods // 1000))
    for resource in sim.store.registry.all():  # encode every object once now, not during the first one's sync
        sim.store.list_encoded(resource, None)
    seeded = time.perf_counter() - started
    sim.start()
    kubeconfig = write_kubeconfig(workdir / f"kubeconfig-{pods}.yaml", sim.url)
    try:
        ksm = run_ksm(sim, kubeconfig, pods, scrapes, workdir) if with_ksm else None
        ours = run_ours(sim, kubeconfig, pods, scrapes, events, workdir)
    finally:
        sim.stop()
    row = {"pods": pods, "objects": sum(sim.store.count(r) for r in BY_PATH.values()), "seed_s": seeded, **ours,
           "ksm": ksm}
    if ksm:
        row["ratios"] = {key: ours[key] / ksm[key] for key in TARGETS if ksm.get(key)}
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="+", default=[10_000, 50_000], help="runs with KSM beside ours")
    parser.add_argument("--ours-only", type=int, nargs="*", default=[100_000], help="runs of ours alone")
    parser.add_argument("--scrapes", type=int, default=20)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    have_ksm = ksm_binary() is not None
    results = []
    with tempfile.TemporaryDirectory(prefix="kube-bench-") as workdir:
        for pods in args.pods:
            results.append(run_one(pods, args.scrapes, args.events, Path(workdir), have_ksm))
        for pods in args.ours_only if "--pods" not in sys.argv or "--ours-only" in sys.argv else []:
            results.append(run_one(pods, args.scrapes, args.events, Path(workdir), False))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print("kube-state exporter (ours) beside kube-state-metrics v2.20.0 (KSM), same simulated cluster")
    print(f"{'pods':>8}{'objects':>9}  {'':<6}{'sync s':>8}{'RSS MB':>8}{'peak MB':>9}{'scrape ms':>11}"
          f"{'gzip ms':>9}{'series':>9}{'event p50/p99 ms':>18}")
    for r in results:
        rows = [("ours", r)] + ([("KSM", r["ksm"])] if r["ksm"] else [])
        for label, f in rows:
            event = f"{f['event_p50_ms']:.1f}/{f['event_p99_ms']:.1f}" if "event_p50_ms" in f else "-"
            print(f"{r['pods'] if label == 'ours' else '':>8}{r['objects'] if label == 'ours' else '':>9}  "
                  f"{label:<6}{f['sync_s']:>8.1f}{f['rss_mb']:>8.0f}{f['peak_rss_mb']:>9.0f}"
                  f"{f['scrape_p50_ms']:>11.1f}{f['scrape_gzip_p50_ms']:>9.1f}{f['series']:>9}{event:>18}")
        if r.get("ratios"):
            verdicts = "  ".join(f"{key.removesuffix('_ms').removesuffix('_mb')} {value:.2f}"
                                 f"{'' if value <= TARGETS[key] else ' (target <= ' + str(TARGETS[key]) + ')'}"
                                 for key, value in r["ratios"].items())
            print(f"{'':>19}ours/KSM: {verdicts}")
    if not any(r["ksm"] for r in results):
        print(f"(no kube-state-metrics: ours only; set {KSM_ENV} to its binary to run it beside ours)")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
