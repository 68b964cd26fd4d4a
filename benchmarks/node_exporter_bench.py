"""Our node exporter side by side with Go's (Debian prometheus-node-exporter), same collectors, one run.

    python -m benchmarks.node_exporter_bench [--scrapes 1000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile

from benchmarks.sidebyside import compare, print_table
from testbed.harness import free_port, start_daemon

COLLECTORS = ("conntrack", "cpu", "diskstats", "entropy", "filefd", "filesystem", "loadavg", "meminfo", "netdev",
              "netstat", "os", "pressure", "sockstat", "stat", "textfile", "time", "uname", "vmstat")
GO_BINARY = "prometheus-node-exporter"


def collector_flags() -> list[str]:
    return ["--collector.disable-defaults", *(f"--collector.{name}" for name in COLLECTORS)]


def run(scrapes: int, workdir: str) -> dict:
    go_binary = shutil.which(GO_BINARY)
    if go_binary is None:
        raise SystemExit(f"{GO_BINARY} not found: apt-get install prometheus-node-exporter")
    ours_port, go_port = free_port(), free_port()
    ours = start_daemon("ours", [sys.executable, "-m", "node_exporter", f"--web.listen-address=127.0.0.1:{ours_port}",
                                 *collector_flags()], ours_port, os.path.join(workdir, "ours.log"))
    try:
        go = start_daemon("go", [go_binary, f"--web.listen-address=127.0.0.1:{go_port}", *collector_flags()], go_port,
                          os.path.join(workdir, "go.log"))
        try:
            return compare(ours, go, scrapes)
        finally:
            go.stop()
    finally:
        ours.stop()


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
        print_table(f"node exporter: {args.scrapes} interleaved scrapes each, collectors: {','.join(COLLECTORS)}",
                    results)


if __name__ == "__main__":
    main()
