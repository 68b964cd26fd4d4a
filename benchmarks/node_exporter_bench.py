"""Our node exporter side by side with Go's (Debian prometheus-node-exporter), same collectors, one run.

Prints scrape latency p50/p99, CPU seconds per 1000 scrapes, RSS and series count for each, and ours/Go.
Scrapes are interleaved (one of each in turn) over keep-alive connections with Prometheus' Accept and
Accept-Encoding headers, so both see the same machine noise.

    python -m benchmarks.node_exporter_bench [--scrapes 1000] [--json]
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

from testbed.harness import (
    PROMETHEUS_ACCEPT,
    count_series,
    cpu_seconds,
    free_port,
    percentile,
    rss_bytes,
    start_daemon,
)

COLLECTORS = ("conntrack", "cpu", "diskstats", "entropy", "filefd", "filesystem", "loadavg", "meminfo", "netdev",
              "netstat", "os", "pressure", "sockstat", "stat", "textfile", "time", "uname", "vmstat")
GO_BINARY = "prometheus-node-exporter"


def collector_flags() -> list[str]:
    return ["--collector.disable-defaults", *(f"--collector.{name}" for name in COLLECTORS)]


def scrape(conn: http.client.HTTPConnection) -> tuple[float, bytes]:
    start = time.perf_counter()
    conn.request("GET", "/metrics", headers={"Accept": PROMETHEUS_ACCEPT, "Accept-Encoding": "gzip"})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise RuntimeError(f"scrape returned {response.status}")
    if response.getheader("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return elapsed, body


def run(scrapes: int, workdir: str) -> dict:
    go = shutil.which(GO_BINARY)
    if go is None:
        raise SystemExit(f"{GO_BINARY} not found: apt-get install prometheus-node-exporter")
    ours_port, go_port = free_port(), free_port()
    daemons = {
        "ours": start_daemon("ours", [sys.executable, "-m", "node_exporter",
                                      f"--web.listen-address=127.0.0.1:{ours_port}", *collector_flags()],
                             ours_port, os.path.join(workdir, "ours.log")),
        "go": start_daemon("go", [go, f"--web.listen-address=127.0.0.1:{go_port}", *collector_flags()], go_port,
                           os.path.join(workdir, "go.log")),
    }
    try:
        conns = {name: http.client.HTTPConnection("127.0.0.1", d.port, timeout=10) for name, d in daemons.items()}
        for _ in range(min(20, scrapes)):  # warm-up: caches, lazy imports, Go's first GC
            for conn in conns.values():
                scrape(conn)
        latencies: dict[str, list[float]] = {name: [] for name in daemons}
        cpu_before = {name: cpu_seconds(d.pid) for name, d in daemons.items()}
        bodies = {}
        for _ in range(scrapes):
            for name, conn in conns.items():
                elapsed, bodies[name] = scrape(conn)
                latencies[name].append(elapsed)
        results = {}
        for name, daemon in daemons.items():
            results[name] = {
                "p50_ms": percentile(latencies[name], 50) * 1000,
                "p99_ms": percentile(latencies[name], 99) * 1000,
                "cpu_s_per_1000": (cpu_seconds(daemon.pid) - cpu_before[name]) / scrapes * 1000,
                "rss_mb": rss_bytes(daemon.pid) / 2**20,
                "series": count_series(bodies[name]),
            }
        for conn in conns.values():
            conn.close()
    finally:
        for daemon in daemons.values():
            daemon.stop()
    results["ratio"] = {key: results["ours"][key] / results["go"][key] if results["go"][key] else float("nan")
                        for key in results["ours"]}
    return results


def print_table(results: dict, scrapes: int) -> None:
    print(f"node exporter benchmark: {scrapes} interleaved scrapes each, collectors: {','.join(COLLECTORS)}")
    print(f"{'':8}{'p50 ms':>10}{'p99 ms':>10}{'CPU s/1000':>12}{'RSS MB':>10}{'series':>8}")
    for name in ("ours", "go", "ratio"):
        row = results[name]
        series = f"{row['series']:>8.2f}" if name == "ratio" else f"{row['series']:>8d}"
        print(f"{name:8}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}{row['cpu_s_per_1000']:>12.2f}"
              f"{row['rss_mb']:>10.1f}{series}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrapes", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="node-bench-") as workdir:
        results = run(args.scrapes, workdir)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(results, args.scrapes)


if __name__ == "__main__":
    main()
