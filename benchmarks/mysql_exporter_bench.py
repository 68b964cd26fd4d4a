"""Our MySQL exporter side by side with Go's mysqld_exporter (Debian prometheus-mysqld-exporter) against one
throw-away MariaDB, default scrapers, in one run.

    python -m benchmarks.mysql_exporter_bench [--scrapes 500] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.sidebyside import compare, print_table
from testbed.harness import free_port, start_daemon
from testbed.mariadb import start_mariadb

GO_BINARY = "prometheus-mysqld-exporter"
PASSWORD = "bench-pw"


def run(scrapes: int, workdir: str) -> dict:
    go_binary = shutil.which(GO_BINARY)
    if go_binary is None:
        raise SystemExit(f"{GO_BINARY} not found: apt-get install prometheus-mysqld-exporter")
    server = start_mariadb(Path(workdir) / "mariadb")
    try:
        server.create_exporter_user(PASSWORD)
        my_cnf = Path(workdir) / "my.cnf"
        my_cnf.write_text(f"[client]\nuser=exporter\npassword={PASSWORD}\nhost=127.0.0.1\nport={server.port}\n")
        ours_port, go_port = free_port(), free_port()
        ours = start_daemon("ours", [sys.executable, "-m", "mysql_exporter", f"--config.my-cnf={my_cnf}",
                                     f"--web.listen-address=127.0.0.1:{ours_port}"], ours_port,
                            os.path.join(workdir, "ours.log"))
        try:
            go = start_daemon("go", [go_binary, f"--config.my-cnf={my_cnf}",
                                     f"--web.listen-address=127.0.0.1:{go_port}"], go_port,
                              os.path.join(workdir, "go.log"))
            try:
                return compare(ours, go, scrapes)
            finally:
                go.stop()
        finally:
            ours.stop()
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrapes", type=int, default=500)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mysql-bench-") as workdir:
        results = run(args.scrapes, workdir)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_table(f"MySQL exporter: {args.scrapes} interleaved scrapes each against MariaDB, default scrapers",
                    results)


if __name__ == "__main__":
    main()
