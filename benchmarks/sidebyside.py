"""Scrape two running exporters in turn and compare: latency p50/p99, CPU per 1000 scrapes, RSS, series.

Scrapes are interleaved (one of each in turn) over keep-alive connections with Prometheus' Accept and
Accept-Encoding headers, so both see the same machine noise.
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


def compare(ours: Daemon, go: Daemon, scrapes: int, warmup: int = 20) -> dict:
    daemons = {"ours": ours, "go": go}
    conns = {name: http.client.HTTPConnection("127.0.0.1", d.port, timeout=30) for name, d in daemons.items()}
    try:
        for _ in range(min(warmup, scrapes)):  # caches, lazy imports, pools, Go's first GC
            for conn in conns.values():
                scrape(conn)
        latencies: dict[str, list[float]] = {name: [] for name in daemons}
        cpu_before = {name: cpu_seconds(d.pid) for name, d in daemons.items()}
        bodies: dict[str, bytes] = {}
        for _ in range(scrapes):
            for name, conn in conns.items():
                elapsed, bodies[name] = scrape(conn)
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
    go_binary = shutil.which(go_package)
    if go_binary is None:
        raise SystemExit(f"{go_package} not found: apt-get install {go_package}")
    ours_port, go_port = free_port(), free_port()
    ours = start_daemon("ours", [sys.executable, "-m", module, f"--web.listen-address=127.0.0.1:{ours_port}", *args],
                        ours_port, os.path.join(workdir, "ours.log"))
    try:
        go = start_daemon("go", [go_binary, f"--web.listen-address=127.0.0.1:{go_port}", *args], go_port,
                          os.path.join(workdir, "go.log"))
        try:
            return compare(ours, go, scrapes)
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
