"""Our node exporter side by side with Go's (Debian prometheus-node-exporter), same collectors, one run.

    python -m benchmarks.node_exporter_bench [--scrapes 1000] [--json]
"""

from __future__ import annotations

from benchmarks import sidebyside

COLLECTORS = ("conntrack", "cpu", "diskstats", "entropy", "filefd", "filesystem", "loadavg", "meminfo", "netclass",
              "netdev", "netstat", "os", "pressure", "sockstat", "stat", "textfile", "time", "uname", "vmstat")


def collector_flags() -> list[str]:
    return ["--collector.disable-defaults", *(f"--collector.{name}" for name in COLLECTORS)]


def run(scrapes: int, workdir: str) -> dict:
    return sidebyside.run_pair(workdir, "node_exporter", "prometheus-node-exporter", collector_flags(), scrapes)


if __name__ == "__main__":
    sidebyside.main(__doc__, run, lambda n: f"node exporter: {n} interleaved scrapes each, collectors: "
                    f"{','.join(COLLECTORS)}", 1000)
