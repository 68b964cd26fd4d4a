"""Scrape two running exporters in turn and compare: latency p50/p99, CPU per 1000 scrapes, RSS, series.

Scrapes are interleaved (one of each in turn) so both see the same machine noise. Two modes: "prometheus" (the
default) scrapes over keep-alive connections with Prometheus' Accept and Accept-Encoding headers; "plain" opens a
new connection for each GET and asks for no compression, as curl or a load balancer health check would.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence

from testbed.harness import (
    PROMETHEUS_ACCEPT,
    Daemon,
    count_series,
    cpu_seconds,
    free_port,
    percentile,
    rss_bytes,
    start_daemon,
)

FIGURES = ("p50_ms", "p99_ms", "cpu_s_per_1000", "rss_mb", "series")


def scrape(conn: http.client.HTTPConnection, path: str = "/metrics") -> tuple[float, bytes]:
    start = time.perf_counter()
    conn.request("GET", path, headers={"Accept": PROMETHEUS_ACCEPT, "Accept-Encoding": "gzip",
                                       "X-Prometheus-Scrape-Timeout-Seconds": "10"})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise RuntimeError(f"scrape returned {response.status}")
    if response.getheader("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return elapsed, body


def scrape_plain(port: int, path: str = "/metrics") -> tuple[float, bytes]:
    """One GET on a new connection, no Accept or Accept-Encoding header; the connect is part of the latency."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise RuntimeError(f"scrape returned {response.status}")
    return elapsed, body


MODES = ("prometheus", "plain")


def compare(ours: Daemon, go: Daemon, scrapes: int, warmup: int = 20, mode: str = "prometheus") -> dict:
    daemons = {"ours": ours, "go": go}
    conns = {name: http.client.HTTPConnection("127.0.0.1", d.port, timeout=30) for name, d in daemons.items()}

    def one(name: str) -> tuple[float, bytes]:
        return scrape(conns[name]) if mode == "prometheus" else scrape_plain(daemons[name].port)

    try:
        for _ in range(min(warmup, scrapes)):  # caches, lazy imports, pools, Go's first GC
            for name in daemons:
                one(name)
        latencies: dict[str, list[float]] = {name: [] for name in daemons}
        cpu_before = {name: cpu_seconds(d.pid) for name, d in daemons.items()}
        bodies: dict[str, bytes] = {}
        for _ in range(scrapes):
            for name in daemons:
                elapsed, bodies[name] = one(name)
                latencies[name].append(elapsed)
        results = {name: {
            "p50_ms": percentile(latencies[name], 50) * 1000,
            "p99_ms": percentile(latencies[name], 99) * 1000,
            "cpu_s_per_1000": (cpu_seconds(d.pid) - cpu_before[name]) / scrapes * 1000,
            "rss_mb": rss_bytes(d.pid) / 2**20,
            "series": count_series(bodies[name]),
        } for name, d in daemons.items()}
    finally:
        for conn in conns.values():
            conn.close()
    results["ratio"] = {key: results["ours"][key] / results["go"][key] if results["go"][key] else float("nan")
                        for key in FIGURES}
    return results


def print_table(title: str, results: dict) -> None:
    print(title)
    print(f"{'':8}{'p50 ms':>10}{'p99 ms':>10}{'CPU s/1000':>12}{'RSS MB':>10}{'series':>8}")
    for name in ("ours", "go", "ratio"):
        row = results[name]
        series = f"{row['series']:>8.2f}" if name == "ratio" else f"{row['series']:>8d}"
        print(f"{name:8}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}{row['cpu_s_per_1000']:>12.2f}"
              f"{row['rss_mb']:>10.1f}{series}")


def run_pair(workdir: str, module: str, go_package: str, args: Sequence[str], scrapes: int) -> dict:
    """Start `python -m module` and the Go original (Debian package `go_package`) with the same `args` on free
    loopback ports, compare them, stop both."""
    return run_pair_modes(workdir, module, go_package, args, scrapes, ("prometheus",))["prometheus"]


def pinned(cpus: str | None) -> list[str]:
    """The command prefix that runs a daemon on the CPUs `cpus` ("0", "0-1"; taskset's list), none for None."""
    if cpus is None:
        return []
    taskset = shutil.which("taskset")
    if taskset is None:
        raise SystemExit("taskset not found: apt-get install util-linux")
    return [taskset, "--cpu-list", cpus]


def run_pair_modes(workdir: str, module: str, go_package: str, args: Sequence[str], scrapes: int,
                   modes: Sequence[str] = MODES, cpus: str | None = None) -> dict:
    """run_pair for each mode in turn against the same two processes: mode -> results. With `cpus`, both
    daemons run on those CPUs only (the same set), so a multi-threaded one cannot take more of a busy machine."""
    go_binary = shutil.which(go_package)
    if go_binary is None:
        raise SystemExit(f"{go_package} not found: apt-get install {go_package}")
    prefix = pinned(cpus)
    ours_port, go_port = free_port(), free_port()
    ours = start_daemon("ours", [*prefix, sys.executable, "-m", module, f"--web.listen-address=127.0.0.1:{ours_port}",
                                 *args], ours_port, os.path.join(workdir, "ours.log"))
    try:
        go = start_daemon("go", [*prefix, go_binary, f"--web.listen-address=127.0.0.1:{go_port}", *args], go_port,
                          os.path.join(workdir, "go.log"))
        try:
            return {mode: compare(ours, go, scrapes, mode=mode) for mode in modes}
        finally:
            go.stop()
    finally:
        ours.stop()


def main(doc: str, run: Callable[[int, str], dict], title: Callable[[int], str], default_scrapes: int) -> None:
    """The command line every side-by-side benchmark shares: --scrapes N, --json."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--scrapes", type=int, default=default_scrapes)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        results = run(args.scrapes, workdir)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(title(args.scrapes), results)
