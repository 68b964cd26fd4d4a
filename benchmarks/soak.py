"""Soak: each daemon as a real process under a long steady load, its resident memory, open file descriptors and
threads read from /proc/<pid> after a warm-up and at the end.

    nice .venv/bin/python -m benchmarks.soak [--scrapes 100000] [--events 1000000] [--only node,mysql,kube]

node and MySQL: scraped --scrapes times over one keep-alive connection (the node exporter on the project's fixture
tree, the MySQL exporter on a throw-away MariaDB with every scraper that server serves). kube-state: --events watch
events (configmap and pod updates made in the simulator) with a forced relist (410 Gone) every --relist-every
events. Requirement: RSS growth after warm-up <= 2 MiB, fds and threads unchanged. tests/integration/
test_soak_short.py runs the same code with small counts.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIB = 1 << 20


@dataclass
class Figures:
    daemon: str
    load: str
    rss_warm: int
    rss_end: int
    fds_warm: int
    fds_end: int
    threads_warm: int
    threads_end: int
    seconds: float
    # Database connections the daemon's pool opened after the warm-up (the MySQL exporter opens its second one
    # the first time a scrape is slow enough to use it): descriptors explained, bounded by the pool's size.
    pooled: int = 0

    @property
    def rss_growth(self) -> int:
        return self.rss_end - self.rss_warm

    def fds_held(self) -> bool:
        """No descriptor growth but the pool's own connections."""
        return self.fds_end - self.fds_warm == self.pooled

    def threads_held(self) -> bool:
        """No thread growth with load. The request pool starts a worker on demand: one more when a keep-alive
        request arrives before the previous worker is back in the queue (bounded by the pool, not a leak; a leak
        would add one a request)."""
        return self.threads_warm - 1 <= self.threads_end <= self.threads_warm + 1

    def line(self) -> str:
        return (f"{self.daemon:<11} {self.load:<34} RSS {self.rss_warm / MIB:7.1f} -> {self.rss_end / MIB:7.1f} MiB "
                f"({self.rss_growth / MIB:+.2f})  fds {self.fds_warm} -> {self.fds_end}"
                f"{f' ({self.pooled:+d} pooled)' if self.pooled else ''}  threads "
                f"{self.threads_warm} -> {self.threads_end}  {self.seconds:.0f} s")


def process_figures(pid: int) -> tuple[int, int, int]:
    """(resident bytes, open file descriptors, threads) of a process."""
    rss = threads = 0
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd")), threads


def settled(pid: int, samples: int = 5, pause: float = 0.2) -> tuple[int, int, int]:
    """The figures once the process is idle: the lowest RSS of a few readings (a scrape's garbage may not have
    been returned yet), fds and threads as last read."""
    readings = []
    time.sleep(2.0)  # let connections and threads of the last requests wind down; nothing to poll for
    for _ in range(samples):
        readings.append(process_figures(pid))
        time.sleep(pause)  # spacing readings of an idle process; nothing waits on it
    return min(r[0] for r in readings), readings[-1][1], readings[-1][2]


def scrape_loop(port: int, count: int, path: str = "/metrics") -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for _ in range(count):
            conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
            response = conn.getresponse()
            body = response.read()
            if response.status != 200 or not body:
                raise RuntimeError(f"scrape answered {response.status}")
    finally:
        conn.close()


def soak_scrapes(name: str, daemon, scrapes: int, warmup: int,
                 connections: Callable[[], int] | None = None) -> Figures:
    """`connections`, when given, counts the daemon's open database connections (read with the figures)."""
    started = time.monotonic()
    scrape_loop(daemon.port, warmup)
    rss_warm, fds_warm, threads_warm = settled(daemon.pid)
    connections_warm = connections() if connections else 0
    scrape_loop(daemon.port, scrapes)
    rss_end, fds_end, threads_end = settled(daemon.pid)
    pooled = (connections() if connections else 0) - connections_warm
    return Figures(name, f"{scrapes} scrapes (+{warmup} warm-up)", rss_warm, rss_end, fds_warm, fds_end,
                   threads_warm, threads_end, time.monotonic() - started, pooled)


def node_daemon(workdir: Path):
    from testbed.harness import free_port, start_daemon

    fixture = REPO / "tests" / "fixtures" / "node"
    port = free_port()
    argv = [sys.executable, "-m", "node_exporter", f"--web.listen-address=127.0.0.1:{port}",
            f"--path.procfs={fixture / 'proc'}", f"--path.sysfs={fixture / 'sys'}",
            f"--path.rootfs={fixture / 'rootfs'}", f"--path.udev.data={fixture / 'udev'}",
            f"--collector.textfile.directory={fixture / 'textfile'}"]
    return start_daemon("node-exporter", argv, port, str(workdir / "node.log"), ready_path="/healthz", cwd=str(REPO))


def soak_node(workdir: Path, scrapes: int, warmup: int) -> Figures:
    daemon = node_daemon(workdir)
    try:
        return soak_scrapes("node", daemon, scrapes, warmup)
    finally:
        daemon.stop()


def mysql_daemon(workdir: Path, server):
    from testbed.harness import free_port, start_daemon

    cnf = workdir / "my.cnf"
    cnf.write_text(f"[client]\nuser=root\nsocket={server.socket}\n")
    cnf.chmod(0o600)
    port = free_port()
    argv = [sys.executable, "-m", "mysql_exporter", f"--web.listen-address=127.0.0.1:{port}",
            f"--config.my-cnf={cnf}", "--collect.info_schema.processlist", "--collect.info_schema.innodb_metrics",
            "--collect.perf_schema.tableiowaits", "--collect.binlog_size"]
    return start_daemon("mysql-exporter", argv, port, str(workdir / "mysql.log"), ready_path="/healthz",
                        cwd=str(REPO))


def soak_mysql(workdir: Path, scrapes: int, warmup: int, server=None) -> Figures:
    from testbed.mariadb import start_mariadb

    own = server is None
    server = server or start_mariadb(workdir / "mariadb", extra_args=("--performance-schema=ON",))
    try:
        daemon = mysql_daemon(workdir, server)
        try:
            return soak_scrapes("mysql", daemon, scrapes, warmup, lambda: server.connection_count("root"))
        finally:
            daemon.stop()
    finally:
        if own:
            server.stop()


class EventMaker:
    """Watch events made in the simulator's store: updates of a few configmaps and pods, round robin."""

    def __init__(self, store, objects: int = 50) -> None:
        self.store = store
        self.configmaps = store.registry.get("", "v1", "configmaps")
        self.sequence = 0
        self.names = [f"soak-{i}" for i in range(objects)]
        store.create(store.registry.get("", "v1", "namespaces"), "", {"metadata": {"name": "soak"}})
        for name in self.names:
            store.create(self.configmaps, "soak", {"metadata": {"name": name, "labels": {"soak": "yes"}},
                                                      "data": {"n": "0"}})

    def make(self, count: int) -> None:
        for _ in range(count):
            self.sequence += 1
            name = self.names[self.sequence % len(self.names)]

            def change(obj, n=self.sequence):
                obj["data"]["n"] = str(n)
                obj["metadata"].setdefault("annotations", {})["soak/sequence"] = str(n)

            self.store.mutate(self.configmaps, "soak", name, change)

    def last_version(self) -> str:
        return self.store.get(self.configmaps, "soak", self.names[self.sequence % len(self.names)])[
            "metadata"]["resourceVersion"]


def caught_up(port: int, version: str) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", "/metrics?resources=configmaps")
        body = conn.getresponse().read().decode()
    finally:
        conn.close()
    return any(line.startswith("kube_configmap_metadata_resource_version{") and 'namespace="soak"' in line
               and float(line.rsplit(" ", 1)[1]) == float(version) for line in body.splitlines())


def soak_kube(workdir: Path, events: int, warmup: int, relist_every: int) -> Figures:
    from testbed.harness import wait_for
    from testbed.kube import start_cluster, start_ours

    cluster = start_cluster(workdir, seed=False)
    try:
        maker = EventMaker(cluster.sim.store)
        exporter = start_ours(cluster.kubeconfig, workdir, "--resources=configmaps,pods,namespaces")
        try:
            started = time.monotonic()

            def run(count: int) -> None:
                done = 0
                while done < count:
                    step = min(relist_every, count - done, 5000)
                    maker.make(step)
                    done += step
                    if done % relist_every == 0 and done < count:  # not as the last step: measured next
                        cluster.sim.store.compact()  # 410 Gone on the next resume: a relist
                        cluster.sim.store.end_streams()
                    wait_for(lambda: caught_up(exporter.port, maker.last_version()), timeout=300,
                             what="exporter caught up with the events")

            run(warmup)
            rss_warm, fds_warm, threads_warm = settled(exporter.daemon.pid)
            run(events)
            rss_end, fds_end, threads_end = settled(exporter.daemon.pid)
            return Figures("kube-state", f"{events} watch events (+{warmup} warm-up), relist every {relist_every}",
                           rss_warm, rss_end, fds_warm, fds_end, threads_warm, threads_end,
                           time.monotonic() - started)
        finally:
            exporter.stop()
    finally:
        cluster.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrapes", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--relist-every", type=int, default=100_000)
    parser.add_argument("--only", default="node,mysql,kube")
    parser.add_argument("--max-rss-growth-mib", type=float, default=2.0)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    wanted = set(args.only.split(","))
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    results = []
    if "node" in wanted:
        results.append(soak_node(workdir, args.scrapes, max(200, args.scrapes // 20)))
        print(results[-1].line(), flush=True)
    if "mysql" in wanted:
        results.append(soak_mysql(workdir, args.scrapes, max(200, args.scrapes // 20)))
        print(results[-1].line(), flush=True)
    if "kube" in wanted:
        # The warm-up sees a relist too: what a relist allocates once is not growth.
        results.append(soak_kube(workdir, args.events, max(2 * args.relist_every, args.events // 20),
                                 args.relist_every))
        print(results[-1].line(), flush=True)
    bad = [r for r in results if r.rss_growth > args.max_rss_growth_mib * MIB or not r.fds_held()
           or not r.threads_held()]
    for result in bad:
        print(f"FAILED {result.daemon}: over the bound", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
