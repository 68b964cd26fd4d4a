"""The property tests of tests/fuzz/ run as a longer campaign: each property over and over with fresh random
inputs until its share of the time budget is spent, then a table of inputs tried and failures per parser.

    .venv/bin/python -m benchmarks.fuzz_campaign --seconds 600 [--scale 20] [--only http]

A failure prints hypothesis' minimal failing input and the campaign goes on with the next property; the exit code
is 1 when any property failed. The MySQL properties run on a throw-away MariaDB (Debian's mariadb-server).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

FUZZ_MODULES = ["test_http_request", "test_custom_resource_state_config", "test_cron_schedule", "test_kube_quantity",
                "test_node_proc_sys", "test_mysql_values", "test_regex_flags"]


def properties(module) -> list:
    """The module's hypothesis tests that take no pytest fixture."""
    found = []
    for name in sorted(dir(module)):
        test = getattr(module, name)
        if name.startswith("test_") and callable(test) and hasattr(test, "hypothesis"):
            found.append((name, test))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="time budget for the whole campaign")
    parser.add_argument("--scale", type=float, default=10.0, help="examples per run: the suite's count times this")
    parser.add_argument("--only", default="", help="run only the modules whose name contains this")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the collectors' "collector failed" lines: expected here by the thousand
    os.environ["FUZZ_SCALE"] = str(args.scale)  # read by tests.fuzz.support when it is first imported
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.fuzz.support import TRIED

    modules = [importlib.import_module(f"tests.fuzz.{name}") for name in FUZZ_MODULES if args.only in name]
    mariadb = None
    if any(m.__name__.endswith("test_mysql_values") for m in modules):
        from testbed.mariadb import start_mariadb

        mariadb = start_mariadb(Path(tempfile.mkdtemp(prefix="fuzz-mariadb-")) / "data")
        modules_by_name = {m.__name__: m for m in modules}
        mysql_module = modules_by_name["tests.fuzz.test_mysql_values"]
        mysql_module._RECORDED.append(mysql_module.Recorded(mariadb))
    runs = [(module, name, test) for module in modules for name, test in properties(module)]
    share = args.seconds / max(1, len(runs))
    failures: dict[str, int] = {}
    rounds: dict[str, int] = {}
    started = time.monotonic()
    try:
        for module, name, test in runs:
            label = f"{module.__name__.rsplit('.', 1)[1]}::{name}"
            deadline = time.monotonic() + share
            while time.monotonic() < deadline:
                rounds[label] = rounds.get(label, 0) + 1
                try:
                    test()
                except Exception:
                    failures[label] = failures.get(label, 0) + 1
                    print(f"FAILED {label}\n{traceback.format_exc(limit=3)}", flush=True)
                    break  # hypothesis has shrunk and printed the input: the next property
        for module in modules:
            if hasattr(module, "teardown_module"):
                module.teardown_module()
    finally:
        if mariadb is not None:
            mariadb.stop()
    print(f"\nfuzz campaign: {time.monotonic() - started:.0f} s, scale {args.scale:g}")
    print(f"{'parser':<52} {'inputs tried':>13}")
    for parser_name, count in sorted(TRIED.items()):
        print(f"{parser_name:<52} {count:>13}")
    print(f"{'TOTAL':<52} {sum(TRIED.values()):>13}")
    print(f"\n{'property':<90} {'rounds':>7} {'failed':>7}")
    for label, count in rounds.items():
        print(f"{label:<90} {count:>7} {failures.get(label, 0):>7}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
