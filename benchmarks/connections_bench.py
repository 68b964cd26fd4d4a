"""Half-open connections against our node exporter and Go's (Debian prometheus-node-exporter), one run.

    python -m benchmarks.connections_bench [--connections 10000] [--scrapes 50] [--json]

Each exporter in turn: scrapes over a keep-alive connection with nothing else open (idle), then the same scrapes
while `--connections` clients hold connections on which they sent half a request head and stopped (loaded). The
figures: scrape p50 in both cases (idle: the mean of the p50 before opening the connections and after closing
them) and their ratio, RSS and threads idle and loaded, and the half-open
connections still held when the loaded scrapes ended (our server closes those that have not completed their
head within 10 s; Go's node_exporter never does). Loaded scrapes start once the exporter has accepted every
connection and gone quiet ("open s": from the first connect until then). The aim: RSS under 60 MB and loaded
p50 within 2x of idle.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import resource
import shutil
import socket
import sys
import tempfile
import time

from benchmarks.node_exporter_bench import collector_flags
from benchmarks.sidebyside import scrape
from testbed.harness import Daemon, cpu_seconds, free_port, percentile, rss_bytes, start_daemon

HALF_HEAD = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: half-open\r\n"
SETTLE_INTERVAL = 0.3
FIGURES = ("idle_p50_ms", "loaded_p50_ms", "latency_ratio", "idle_rss_mb", "loaded_rss_mb", "idle_threads",
           "loaded_threads", "open_s", "held")


def raise_open_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    if hard != resource.RLIM_INFINITY and hard < wanted:
        raise SystemExit(f"the open file limit's hard cap ({hard}) is below {wanted}: lower --connections")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def threads_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("Threads:"))


def sockets_of(pid: int) -> int:
    """Open sockets of the process (listening and wake-up sockets included)."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            continue
    return count


def scrape_p50(port: int, scrapes: int) -> float:
    """p50 of `scrapes` scrapes over one keep-alive connection; this process's own garbage collector (it holds
    the half-open sockets too) is kept out of the timings."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    gc.collect()
    gc.disable()
    try:
        scrape(conn)  # connect and warm up
        return percentile([scrape(conn)[0] for _ in range(scrapes)], 50) * 1000
    finally:
        gc.enable()
        conn.close()


def half_open(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(HALF_HEAD)
        sockets.append(sock)
    return sockets


def settle(pid: int, sockets: int, timeout: float = 60.0) -> None:
    """Wait until the process holds `sockets` sockets and its CPU is quiet: the connections were accepted and their
    half heads read (the kernel completes a connect before the process accepts it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(SETTLE_INTERVAL)
        if sockets_of(pid) >= sockets and cpu_seconds(pid) - before < SETTLE_INTERVAL * 0.05:
            return
    raise SystemExit(f"pid {pid} did not settle with {sockets} sockets within {timeout:.0f} s (has {sockets_of(pid)})")


def measure(daemon: Daemon, connections: int, scrapes: int) -> dict:
    idle_p50 = scrape_p50(daemon.port, scrapes)
    idle_rss, idle_threads = rss_bytes(daemon.pid), threads_of(daemon.pid)
    baseline_sockets = sockets_of(daemon.pid)
    started = time.perf_counter()
    sockets = half_open(daemon.port, connections)
    try:
        settle(daemon.pid, connections)
        open_s = time.perf_counter() - started
        loaded_p50 = scrape_p50(daemon.port, scrapes)
        loaded_rss, loaded_threads = rss_bytes(daemon.pid), threads_of(daemon.pid)
        held = max(0, sockets_of(daemon.pid) - baseline_sockets)
    finally:
        for sock in sockets:
            sock.close()
    return {"idle_p50_ms": idle_p50, "loaded_p50_ms": loaded_p50, "latency_ratio": loaded_p50 / idle_p50,
            "idle_rss_mb": idle_rss / 2**20, "loaded_rss_mb": loaded_rss / 2**20, "idle_threads": idle_threads,
            "loaded_threads": loaded_threads, "open_s": open_s, "held": held}


def run(connections: int, scrapes: int, workdir: str) -> dict:
    go_binary = shutil.which("prometheus-node-exporter")
    if go_binary is None:
        raise SystemExit("prometheus-node-exporter not found: apt-get install prometheus-node-exporter")
    raise_open_file_limit(connections + 1024)
    ours_port, go_port = free_port(), free_port()
    commands = {
        "ours": [sys.executable, "-m", "node_exporter", f"--web.listen-address=127.0.0.1:{ours_port}",
                 f"--web.max-connections={connections + 64}", *collector_flags()],
        "go": [go_binary, f"--web.listen-address=127.0.0.1:{go_port}", *collector_flags()],
    }
    results = {}
    for name, port in (("ours", ours_port), ("go", go_port)):
        daemon = start_daemon(name, commands[name], port, os.path.join(workdir, f"{name}.log"), ready_path="/")
        try:
            results[name] = measure(daemon, connections, scrapes)
        finally:
            daemon.stop()
    return results


def print_table(connections: int, scrapes: int, results: dict) -> None:
    print(f"node exporter with {connections} half-open connections; scrape p50 over {scrapes} scrapes")
    print(f"{'':6}{'idle p50 ms':>12}{'loaded p50':>12}{'x idle':>8}{'RSS idle MB':>13}{'RSS loaded':>12}"
          f"{'threads':>9}{'loaded':>8}{'open s':>8}{'held':>7}")
    for name, row in results.items():
        print(f"{name:6}{row['idle_p50_ms']:>12.2f}{row['loaded_p50_ms']:>12.2f}{row['latency_ratio']:>8.2f}"
              f"{row['idle_rss_mb']:>13.1f}{row['loaded_rss_mb']:>12.1f}{row['idle_threads']:>9d}"
              f"{row['loaded_threads']:>8d}{row['open_s']:>8.1f}{row['held']:>7d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--scrapes", type=int, default=50)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        results = run(args.connections, args.scrapes, workdir)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(args.connections, args.scrapes, results)


if __name__ == "__main__":
    main()
