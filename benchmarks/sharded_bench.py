"""What one Prometheus shard and the central VictoriaMetrics cost in the sharded layout (localstack/sharded.py):
`--shards` Debian Prometheus shards split `--targets` synthetic targets by hashmod and remote-write everything to
Debian's victoria-metrics. After a warm-up, samples ingested per second, series, RSS and CPU are read from each
process over `--duration` seconds.

    python -m benchmarks.sharded_bench [--targets 200] [--series 500] [--interval 5] [--shards 2] [--duration 60]

The targets are one asyncio server on `--targets` loopback ports, each serving `--series` series (10 families,
counters that climb on every scrape, so the TSDB compresses real change). The shards load no rules: this measures
ingestion."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
import threading
import time
from pathlib import Path

import requests

from localstack.monitoring import start_prometheus
from localstack.sharded import shard_config, start_victoria_metrics
from localstack.stack import binary
from testbed.harness import Daemon, cpu_seconds, free_port, rss_bytes, wait_for

FAMILIES = 10


def exposition(target: int, series: int, scrape: int) -> bytes:
    """`series` samples in FAMILIES counter families; values climb with each scrape."""
    per_family = max(1, series // FAMILIES)
    lines = []
    for family in range(FAMILIES):
        lines.append(f"# TYPE synthetic_family_{family}_total counter")
        lines += [f'synthetic_family_{family}_total{{route="/r{index}",code="200"}} {scrape * (index + 1) + target}'
                  for index in range(per_family)]
    return ("\n".join(lines) + "\n").encode()


class Targets:
    """Synthetic scrape targets: one event loop in a thread, one listening port per target."""

    def __init__(self, count: int, series: int) -> None:
        self.count = count
        self.ports: list[int] = []
        self.series = series
        self.scrapes = 0
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.Server] = []
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="synthetic-targets")
        self._thread.start()
        if not self._started.wait(60) or len(self.ports) != count:
            raise RuntimeError(f"the synthetic targets did not start: {len(self.ports)} of {count} listening")

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            for index in range(self.count):  # port 0: the kernel picks, no race with other processes
                server = self._loop.run_until_complete(asyncio.start_server(
                    lambda r, w, index=index: self._serve(index, r, w), "127.0.0.1", 0))
                self._servers.append(server)
                self.ports.append(server.sockets[0].getsockname()[1])
        finally:
            self._started.set()
        self._loop.run_forever()

    async def _serve(self, index: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # keep-alive: Prometheus reuses its connection
                request = await reader.readuntil(b"\r\n\r\n")
                if not request:
                    break
                self.scrapes += 1
                body = exposition(index, self.series, self.scrapes)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
                             b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _shutdown(self) -> None:
        """Close the listeners and the connections still open, while the loop still runs."""
        for server in self._servers:
            server.close()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)


def metric(port: int, name: str, labels: str = "") -> float:
    """Sum of a metric's samples (optionally only those whose label text matches `labels`) on a /metrics page."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    pattern = re.compile(rf"^{re.escape(name)}(\{{[^}}]*\}})? (\S+)$", re.M)
    return sum(float(value) for label_text, value in pattern.findall(text) if labels in label_text)


def readings(shards: list[Daemon], victoria: Daemon) -> dict:
    out = {"time": time.monotonic(), "shards": [], "victoria_metrics": {}}
    for shard in shards:
        out["shards"].append({"samples": metric(shard.port, "prometheus_tsdb_head_samples_appended_total"),
                              "series": metric(shard.port, "prometheus_tsdb_head_series"),
                              "sent": metric(shard.port, "prometheus_remote_storage_samples_total"),
                              "cpu": cpu_seconds(shard.pid), "rss": rss_bytes(shard.pid)})
    out["victoria_metrics"] = {"rows": metric(victoria.port, "vm_rows_inserted_total", 'type="promremotewrite"'),
                               "cpu": cpu_seconds(victoria.pid), "rss": rss_bytes(victoria.pid)}
    return out


def run(targets: int, series: int, interval: float, shards: int, duration: float, workdir: Path) -> dict:
    synthetic = Targets(targets, series)
    daemons: list[Daemon] = []
    try:
        vm_port = free_port()
        victoria = start_victoria_metrics(workdir, vm_port)
        daemons.append(victoria)
        rules = workdir / "no-rules"
        rules.mkdir(exist_ok=True)
        base = {"global": {"scrape_interval": f"{interval:g}s", "scrape_timeout": f"{min(interval, 10):g}s",
                           "external_labels": {"replica": "bench"}},
                "scrape_configs": [{"job_name": "synthetic", "static_configs": [
                    {"targets": [f"127.0.0.1:{port}" for port in synthetic.ports]}]}]}
        shard_daemons = []
        for shard in range(shards):
            config = shard_config(base, shard, shards, f"http://127.0.0.1:{vm_port}/api/v1/write")
            daemon = start_prometheus(binary("prometheus"), workdir, f"shard-{shard}", free_port(), config, rules)
            daemons.append(daemon)
            shard_daemons.append(daemon)
        expected = targets * (series // FAMILIES) * FAMILIES
        # Warm-up: every series in a head and in VictoriaMetrics, then one more minute of steady state.
        wait_for(lambda: sum(metric(d.port, "prometheus_tsdb_head_series") for d in shard_daemons) >= expected,
                 timeout=10 * interval + 120, interval=1, what="every synthetic series in a shard's head")
        time.sleep(2 * interval)  # steady state before the first reading, not synchronisation
        first = readings(shard_daemons, victoria)
        time.sleep(duration)
        last = readings(shard_daemons, victoria)
    finally:
        for daemon in reversed(daemons):
            daemon.stop()
        synthetic.stop()
    elapsed = last["time"] - first["time"]
    result = {"targets": targets, "series_per_target": series, "interval_s": interval, "shards": shards,
              "duration_s": round(elapsed, 1), "shard": [], "victoria_metrics": {}}
    for before, after in zip(first["shards"], last["shards"], strict=True):
        result["shard"].append({
            "series": int(after["series"]),
            "samples_per_s": round((after["samples"] - before["samples"]) / elapsed),
            "sent_per_s": round((after["sent"] - before["sent"]) / elapsed),
            "rss_mb": round(after["rss"] / 2**20, 1),
            "cpu_cores": round((after["cpu"] - before["cpu"]) / elapsed, 3)})
    before, after = first["victoria_metrics"], last["victoria_metrics"]
    result["victoria_metrics"] = {"rows_per_s": round((after["rows"] - before["rows"]) / elapsed),
                                  "rss_mb": round(after["rss"] / 2**20, 1),
                                  "cpu_cores": round((after["cpu"] - before["cpu"]) / elapsed, 3)}
    return result


def table(result: dict) -> str:
    lines = [f"{result['targets']} targets x {result['series_per_target']} series, scraped every "
             f"{result['interval_s']:g} s by {result['shards']} shards; {result['duration_s']} s measured",
             f"{'':18}{'series':>9}{'samples/s':>11}{'RSS MB':>9}{'CPU cores':>11}"]
    for index, shard in enumerate(result["shard"]):
        lines.append(f"{'shard ' + str(index):18}{shard['series']:>9}{shard['samples_per_s']:>11}"
                     f"{shard['rss_mb']:>9}{shard['cpu_cores']:>11}")
    vm = result["victoria_metrics"]
    total = sum(s["series"] for s in result["shard"])
    lines.append(f"{'victoria-metrics':18}{total:>9}{vm['rows_per_s']:>11}{vm['rss_mb']:>9}{vm['cpu_cores']:>11}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--series", type=int, default=500, help="series per target (a multiple of 10)")
    parser.add_argument("--interval", type=float, default=5.0, help="scrape interval, seconds")
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured after the warm-up")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sharded-bench-") as workdir:
        result = run(args.targets, args.series, args.interval, args.shards, args.duration, Path(workdir))
    print(json.dumps(result) if args.json else table(result))


if __name__ == "__main__":
    main()
