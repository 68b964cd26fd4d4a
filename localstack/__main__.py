"""`python -m localstack [--free-ports] [--workdir DIR]`: start everything, print the URLs, stop on Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path

from localstack.stack import LocalStack, wait_forever


def main() -> None:
    parser = argparse.ArgumentParser(description="The exporter suite's local stack, on loopback")
    parser.add_argument("--workdir", type=Path, default=None, help="logs, data and configs (a temp dir by default)")
    parser.add_argument("--free-ports", action="store_true", help="pick free ports instead of the default ones")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="exporter-suite-"))
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    print(f"starting the local stack in {workdir} ...", flush=True)
    stack = LocalStack(workdir, free_ports=args.free_ports)
    try:
        stack.start()
    except Exception as exc:
        print(f"localstack: error: {exc}", file=sys.stderr)
        sys.exit(1)
    width = max(map(len, stack.urls()))
    for name, url in stack.urls().items():
        print(f"  {name:<{width}}  {url}")
    print("up; Ctrl-C stops everything", flush=True)
    try:
        wait_forever(stack)
    finally:
        print("stopping ...", flush=True)
        stack.stop()


if __name__ == "__main__":
    main()
