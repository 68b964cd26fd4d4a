"""The kube-state exporter beside the real kube-state-metrics v2.20.0 (Go), in one run, on the same simulated
cluster: a realistic mix of every resource (kube_sim.mix: pods in every phase, a workload with its service,
endpoints, endpoint slice, HPA, PDB, configmap, secret and volumes per 10 pods, PVs, RBAC...), every default
resource enabled in both (32). For each pod count: sync time, CPU seconds spent until synced, steady and peak
RSS, scrape p50 plain and gzip (both started with --enable-gzip-encoding), printed side by side with ours/KSM
ratios against the targets. The two run one after the other against the same simulator, so neither competes with
the other for the CPU. Then ours alone: the memory each object of each resource keeps (tracemalloc of a store
filled with the simulator's objects), and how many pods of this mix fit in 24 GiB (from the peak RSS).

Sync: ours is synced when /readyz answers 200 (every resource listed); KSM when the simulator has written the
initial-events-end bookmark of each of its streaming lists and a scrape shows every pod and as many series as
the scrape after it (the start of that scrape is the sync time; polling only starts once the simulator has
written everything). Event-to-metric latency (ours only: KSM cannot narrow a scrape to nodes): a node's taint
is changed while 200 pod updates per second churn, /metrics?resources=nodes is polled until the new value
shows.

Churn (--churn N, ours alone, minutes): after the sync, N watch events (pod updates: a label and a restart
count that change every time) are applied; once the exporter has applied them all its RSS is compared with a
fresh exporter's synced on the same objects (a leak or fragmentation creep shows as a ratio above 1.05).

    KSM_BIN=path/to/kube-state-metrics python -m benchmarks.kube_state_bench [--pods 10000 50000] [--ours-only 100000]
        [--scrapes 20] [--json]           # without KSM_BIN: our own figures only
    python -m benchmarks.kube_state_bench --pods 50000 --ours-only --churn 1000000    # the churn run (minutes)
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
import tracemalloc
from pathlib import Path

import requests

from kube_sim.mix import mix
from kube_sim.resources import BY_PATH
from kube_sim.server import Simulator
from kube_sim.workload import seed_cluster, write_kubeconfig
from kube_state_exporter.metric import FamilyGenerator
from kube_state_exporter.resources import DEFAULT_RESOURCES, RESOURCES, Allowlists
from kube_state_exporter.store import MetricsStore
from testbed.harness import cpu_seconds, free_port, http_ok, percentile, start_daemon, wait_for
from testbed.kube import KSM_ENV, ksm_binary

PODS = BY_PATH[("", "v1", "pods")]
NODES = BY_PATH[("", "v1", "nodes")]
TARGETS = {"sync_s": 0.4, "cpu_s": 1.0, "rss_mb": 0.45, "peak_rss_mb": 0.45, "scrape_p50_ms": 0.2,
           "scrape_gzip_p50_ms": 0.2, "scrape_cpu_ms": 0.2, "scrape_gzip_cpu_ms": 0.2}
MEMORY_SAMPLE = 2000  # objects per resource measured for the memory per object
GIB_24 = 24 * 1024


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


def scrape_figures(port: int, scrapes: int, pid: int) -> dict:
    """p50 of the scrapes as curl times them, and the CPU the exporter spent per scrape (wall times on a busy
    machine wait for the CPU; CPU seconds do not)."""
    url = f"http://127.0.0.1:{port}/metrics"
    figures = {}
    for key, gzip in (("scrape", False), ("scrape_gzip", True)):
        cpu = cpu_seconds(pid)
        samples = [curl_seconds(url, gzip) for _ in range(scrapes)]
        figures[f"{key}_cpu_ms"] = (cpu_seconds(pid) - cpu) / scrapes * 1000
        figures[f"{key}_p50_ms"] = percentile(samples, 50) * 1000
    # Ours compresses a block of objects once per change: the first gzip scrape compresses every block (the
    # cost of a scrape after every object changed), the next ones join cached members.
    figures["scrape_gzip_first_ms"] = samples[0] * 1000
    return figures


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
        previous: tuple[float, int, float] | None = None
        while True:
            asked, cpu = time.perf_counter(), cpu_seconds(ksm.pid)
            body = requests.get(f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "identity"},
                            timeout=600).content
            if body.count(b"\nkube_pod_info{") >= pods:
                if previous is not None and previous[1] == series(body):
                    break
                previous = (asked, series(body), cpu)
            if asked - start > 1200:
                raise RuntimeError(f"KSM holds {body.count(b'kube_pod_info{')} pods, not {pods}")
            time.sleep(0.05)
        sync, cpu = previous[0] - start, previous[2]
        figures = scrape_figures(port, scrapes, ksm.pid)
        rss, peak = peak_rss_mb(ksm.pid)
        return {"sync_s": sync, "cpu_s": cpu, "rss_mb": rss, "peak_rss_mb": peak, "series": series(body), **figures}
    finally:
        ksm.stop()


def series(body: bytes) -> int:
    return body.count(b"\n") - body.count(b"\n#") - (0 if body.startswith(b"#") else 1)


def start_ours(kubeconfig: Path, workdir: Path, tag: str) -> tuple:
    """An exporter, waited for until synced: (daemon, port, telemetry port, sync seconds, CPU seconds to sync)."""
    port, telemetry = free_port(), free_port()
    start = time.perf_counter()
    exporter = start_daemon("kube-state-exporter", [
        sys.executable, "-m", "kube_state_exporter", f"--kubeconfig={kubeconfig}", "--host=127.0.0.1",
        f"--port={port}", "--telemetry-host=127.0.0.1", f"--telemetry-port={telemetry}", "--enable-gzip-encoding"],
        port, str(workdir / f"exporter-{tag}.log"), ready_path="/healthz", timeout=60)
    try:
        wait_for(lambda: requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200,
                 timeout=1200, interval=0.05, what="initial sync")
    except BaseException:
        exporter.stop()
        raise
    return exporter, port, telemetry, time.perf_counter() - start, cpu_seconds(exporter.pid)


def plain_body(port: int) -> bytes:
    return requests.get(f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": "identity"},
                        timeout=600).content


def run_ours(sim: Simulator, kubeconfig: Path, pods: int, scrapes: int, events: int, workdir: Path,
             churn: int = 0) -> dict:
    exporter, port, telemetry, sync_seconds, sync_cpu = start_ours(kubeconfig, workdir, str(pods))
    try:
        figures = scrape_figures(port, scrapes, exporter.pid)
        body = plain_body(port)
        rss, peak = peak_rss_mb(exporter.pid)
        result = {"sync_s": sync_seconds, "cpu_s": sync_cpu, "rss_mb": rss, "peak_rss_mb": peak,
                  "series": series(body), "body_mb": len(body) / 2**20, **figures}
        del body
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
        if churn:
            result["churn"] = churn_figures(sim, exporter, port, telemetry, kubeconfig, workdir, churn, scrapes)
        return result
    finally:
        exporter.stop()


def pod_events_applied(telemetry: int) -> int:
    text = requests.get(f"http://127.0.0.1:{telemetry}/metrics", timeout=30).text
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines()
               if line.startswith('kube_state_metrics_watch_events_total{resource="pods"'))


def churn_figures(sim: Simulator, exporter, port: int, telemetry: int, kubeconfig: Path, workdir: Path,
                  events: int, scrapes: int) -> dict:
    """`events` pod updates (each changes a label and a restart count, so every family is rendered anew), never
    more than the simulator's history ahead of the exporter; then its RSS beside a fresh exporter's."""
    names = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in sim.store.list(PODS, None)[0]]
    before = pod_events_applied(telemetry)
    started = time.perf_counter()

    def change(pod: dict, i: int) -> None:
        pod["metadata"]["labels"]["churn"] = str(i)
        for status in pod["status"].get("containerStatuses") or ():
            status["restartCount"] = status.get("restartCount", 0) + 1

    for i in range(events):
        namespace, name = names[i % len(names)]
        sim.store.mutate(PODS, namespace, name, lambda pod, i=i: change(pod, i))
        if i % 20_000 == 19_999:
            while i - (pod_events_applied(telemetry) - before) > 100_000:  # stay well inside the history
                time.sleep(0.2)
    wait_for(lambda: pod_events_applied(telemetry) - before >= events, timeout=3600, interval=0.5,
             what="the churn applied")
    seconds = time.perf_counter() - started
    scrape_figures(port, scrapes, exporter.pid)  # scraped after the churn as the fresh one is after its sync
    churned, churned_peak = peak_rss_mb(exporter.pid)
    exporter.stop()
    fresh_exporter, fresh_port, *_ = start_ours(kubeconfig, workdir, "fresh")
    try:
        # Served as the churned one was before its figure was read (run_ours, then above): what a scrape leaves
        # resident counts on both sides.
        scrape_figures(fresh_port, scrapes, fresh_exporter.pid)
        plain_body(fresh_port)
        scrape_figures(fresh_port, scrapes, fresh_exporter.pid)
        fresh, fresh_peak = peak_rss_mb(fresh_exporter.pid)
    finally:
        fresh_exporter.stop()
    return {"events": events, "seconds": seconds, "rss_mb": churned, "peak_rss_mb": churned_peak,
            "fresh_rss_mb": fresh, "fresh_peak_rss_mb": fresh_peak, "ratio": churned / fresh}


def memory_per_object(sim: Simulator) -> dict[str, float]:
    """Bytes each object keeps in the exporter, by resource: tracemalloc of a store filled with (up to
    MEMORY_SAMPLE of) the simulator's objects, every default family on, once the bounded memos shared by all
    objects are filled."""
    figures = {}
    for name in DEFAULT_RESOURCES:
        spec = RESOURCES[name]
        objects = sim.store.list(BY_PATH[(spec.group, spec.version, spec.name)], None)[0][:MEMORY_SAMPLE]
        if not objects:
            continue
        generators: list[FamilyGenerator] = [g for g in spec.families(Allowlists()) if not g.opt_in]
        MetricsStore(spec, generators).replace(objects)  # the memos (label sets, values) filled: not per object
        store = MetricsStore(spec, generators)
        tracemalloc.start()
        try:
            store.replace(objects)
            figures[name] = tracemalloc.get_traced_memory()[0] / len(objects)
        finally:
            tracemalloc.stop()
        del store
    return figures


def empty_rss_mb(workdir: Path) -> float:
    """The RSS of an exporter synced on a cluster with only its seed objects: the part no pod adds to."""
    sim = Simulator(bookmark_interval=5.0)
    seed_cluster(sim.store)
    sim.start()
    try:
        exporter, *_ = start_ours(write_kubeconfig(workdir / "kubeconfig-empty.yaml", sim.url), workdir, "empty")
        try:
            return peak_rss_mb(exporter.pid)[1]
        finally:
            exporter.stop()
    finally:
        sim.stop()


def run_one(pods: int, scrapes: int, events: int, workdir: Path, with_ksm: bool, churn: int = 0,
            empty_rss: float = 0.0) -> dict:
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
        ours = run_ours(sim, kubeconfig, pods, scrapes, events, workdir, churn)
    finally:
        sim.stop()
    counts = {name: sim.store.count(BY_PATH[(RESOURCES[name].group, RESOURCES[name].version, name)])
              for name in DEFAULT_RESOURCES}
    row = {"pods": pods, "objects": sum(sim.store.count(r) for r in BY_PATH.values()), "seed_s": seeded, **ours,
           "ksm": ksm, "resources": sum(1 for count in counts.values() if count)}
    per_object = memory_per_object(sim)
    row["bytes_per_object"] = per_object
    # Capacity: the peak RSS above an empty exporter's, spread over the pods (with their share of the rest).
    row["empty_rss_mb"] = empty_rss
    row["pods_in_24gib"] = int((GIB_24 - empty_rss) / max(1e-9, (ours["peak_rss_mb"] - empty_rss) / pods))
    if ksm:
        row["ratios"] = {key: ours[key] / ksm[key] for key in TARGETS if ksm.get(key)}
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="+", default=[10_000, 50_000], help="runs with KSM beside ours")
    parser.add_argument("--ours-only", type=int, nargs="*", default=[100_000], help="runs of ours alone")
    parser.add_argument("--scrapes", type=int, default=20)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--churn", type=int, default=0, help="watch events of churn after the last --pods run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    have_ksm = ksm_binary() is not None
    results = []
    with tempfile.TemporaryDirectory(prefix="kube-bench-") as workdir:
        empty = empty_rss_mb(Path(workdir))
        for index, pods in enumerate(args.pods):
            churn = args.churn if index == len(args.pods) - 1 else 0
            results.append(run_one(pods, args.scrapes, args.events, Path(workdir), have_ksm and not churn, churn,
                                   empty))
        for pods in args.ours_only if "--pods" not in sys.argv or "--ours-only" in sys.argv else []:
            results.append(run_one(pods, args.scrapes, args.events, Path(workdir), False, 0, empty))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print("kube-state exporter (ours) beside kube-state-metrics v2.20.0 (KSM), same simulated cluster")
    print(f"{'pods':>8}{'objects':>9}  {'':<6}{'sync s':>8}{'CPU s':>7}{'RSS MB':>8}{'peak MB':>9}{'scrape ms':>11}"
          f"{'gzip ms':>9}{'CPU ms':>8}{'gz CPU':>8}{'series':>9}{'event p50/p99 ms':>18}")
    for r in results:
        rows = [("ours", r)] + ([("KSM", r["ksm"])] if r["ksm"] else [])
        for label, f in rows:
            event = f"{f['event_p50_ms']:.1f}/{f['event_p99_ms']:.1f}" if "event_p50_ms" in f else "-"
            print(f"{r['pods'] if label == 'ours' else '':>8}{r['objects'] if label == 'ours' else '':>9}  "
                  f"{label:<6}{f['sync_s']:>8.1f}{f['cpu_s']:>7.1f}{f['rss_mb']:>8.0f}{f['peak_rss_mb']:>9.0f}"
                  f"{f['scrape_p50_ms']:>11.1f}{f['scrape_gzip_p50_ms']:>9.1f}{f['scrape_cpu_ms']:>8.0f}"
                  f"{f['scrape_gzip_cpu_ms']:>8.0f}{f['series']:>9}{event:>18}")
        if r.get("ratios"):
            verdicts = "  ".join(f"{key.removesuffix('_ms').removesuffix('_mb')} {value:.2f}"
                                 f"{'' if value <= TARGETS[key] else ' (target <= ' + str(TARGETS[key]) + ')'}"
                                 for key, value in r["ratios"].items())
            print(f"{'':>19}ours/KSM: {verdicts}")
        print(f"{'':>19}{r['resources']} resources with objects; ~{r['pods_in_24gib']:,} pods of this mix fit in "
              f"24 GiB (peak RSS above an empty exporter's {r['empty_rss_mb']:.0f} MB)")
        if r.get("churn"):
            c = r["churn"]
            print(f"{'':>19}after {c['events']:,} watch events ({c['seconds']:.0f} s): RSS {c['rss_mb']:.0f} MB, a "
                  f"fresh sync {c['fresh_rss_mb']:.0f} MB: {c['ratio']:.3f}x (target <= 1.05)")
    print("memory per object (bytes, tracemalloc), by resource, at the last pod count:")
    last = results[-1]["bytes_per_object"]
    for name in sorted(last, key=last.get, reverse=True):
        print(f"  {name:<36}{last[name]:>9.0f}")
    if not any(r["ksm"] for r in results):
        print(f"(no kube-state-metrics: ours only; set {KSM_ENV} to its binary to run it beside ours)")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
