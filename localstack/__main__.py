"""`python -m localstack [--ha | --sharded] [--free-ports] [--workdir DIR] [--keep-workdir]`: start everything
(Grafana too where one is installed), print the URLs, the Grafana logins and a kubectl line, stop on Ctrl-C.

The work directory holds every log, config and data directory and the emails received. Deliberately: a
directory given with --workdir is never deleted; the default one (a new temporary directory) is deleted on
Ctrl-C, unless --keep-workdir, and kept when something failed so that its logs can be read."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from localstack.sharded import ShardedStack
from localstack.stack import LocalStack, wait_forever


def main() -> None:
    parser = argparse.ArgumentParser(description="The exporter suite's local stack, on loopback")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="logs, data, configs and received emails; kept after Ctrl-C (default: a new temporary "
                             "directory, deleted on Ctrl-C)")
    parser.add_argument("--keep-workdir", action="store_true", help="keep the default work directory after Ctrl-C")
    parser.add_argument("--free-ports", action="store_true", help="pick free ports instead of the default ones")
    parser.add_argument("--ha", action="store_true",
                        help="two Prometheus replicas and three clustered Alertmanagers instead of one of each")
    parser.add_argument("--sharded", action="store_true",
                        help="two Prometheus shards splitting the targets, writing to VictoriaMetrics "
                             "(the global view)")
    args = parser.parse_args()
    if args.ha and args.sharded:
        parser.error("--ha and --sharded do not combine")
    temporary = args.workdir is None
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="exporter-suite-"))
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    fate = ("kept after Ctrl-C" if not temporary or args.keep_workdir
            else "deleted on Ctrl-C (--keep-workdir keeps it), kept if something fails")
    layout = " (HA)" if args.ha else " (sharded)" if args.sharded else ""
    print(f"starting the local stack{layout}; work directory {workdir}: logs, configs, data, "
          f"emails; {fate} ...", flush=True)
    stack = (ShardedStack(workdir, free_ports=args.free_ports, grafana=True) if args.sharded
             else LocalStack(workdir, free_ports=args.free_ports, ha=args.ha, grafana=True))
    try:
        stack.start()
    except Exception as exc:
        print(f"localstack: error: {exc}", file=sys.stderr)
        print(f"logs kept in {workdir}", file=sys.stderr)
        sys.exit(1)
    width = max(map(len, stack.urls()))
    for name, url in stack.urls().items():
        print(f"  {name:<{width}}  {url}")
    print(f"\n{stack.grafana_note}")
    print(f"\nthe simulated cluster:\n  {stack.kubectl_line}\n", flush=True)
    print("up; Ctrl-C stops everything", flush=True)
    clean = False
    try:
        clean = wait_forever(stack)
    finally:
        print("stopping ...", flush=True)
        stack.stop()
        if clean and temporary and not args.keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
            print(f"deleted {workdir}", flush=True)
        else:
            print(f"work directory kept: {workdir}", flush=True)


if __name__ == "__main__":
    main()
