"""Our MySQL exporter side by side with Go's mysqld_exporter (Debian prometheus-mysqld-exporter) against one
throw-away MariaDB (userstat and performance_schema on, a pt-heartbeat table), in one run and two modes:
default scrapers, then every scraper on. A last line gives the memory floor of any exporter built like ours: the RSS
of this interpreter alone, and having imported only the libraries the exporter stands on.

    python -m benchmarks.mysql_exporter_bench [--scrapes 300] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import sidebyside
from mysql_exporter.scraper import SCRAPERS
from mysql_exporter.scrapers import __name__ as _scrapers_loaded  # noqa: F401 - registers the scrapers
from testbed.mariadb import ALL_SCRAPERS_ARGS, SLAVE_HOSTS_GRANT, prepare_for_all_scrapers, start_mariadb

PASSWORD = "bench-pw"
# What every Python exporter built on the project's chosen libraries imports before any code of its own.
LIBRARIES = ("prometheus_client", "mysql.connector", "click")
_PRINT_RSS = "print([line.split()[1] for line in open('/proc/self/status') if line.startswith('VmRSS:')][0])"


def all_scraper_flags(datadir: Path) -> list[str]:
    return [*(f"--collect.{name}" for name in sorted(SCRAPERS.units)), "--collect.mysql.user.privileges",
            f"--collect.perf_schema.file_instances.remove_prefix={datadir}/"]


def rss_floor() -> dict[str, float]:
    """VmRSS (MB) of `python -c pass` and of `python -c 'import <LIBRARIES>'`, each in a fresh process."""

    def measure(imports: str) -> float:
        out = subprocess.run([sys.executable, "-c", f"{imports}\n{_PRINT_RSS}"], capture_output=True, text=True,
                             check=True, timeout=60).stdout
        return int(out) / 1024

    return {"interpreter_mb": measure(""), "libraries_mb": measure(f"import {', '.join(LIBRARIES)}")}


def run(scrapes: int, workdir: str) -> dict[str, dict]:
    datadir = Path(workdir) / "mariadb"
    server = start_mariadb(datadir, extra_args=ALL_SCRAPERS_ARGS)
    try:
        server.create_exporter_user(PASSWORD, extra_grants=(SLAVE_HOSTS_GRANT,))
        prepare_for_all_scrapers(server)
        my_cnf = Path(workdir) / "my.cnf"
        my_cnf.write_text(f"[client]\nuser=exporter\npassword={PASSWORD}\nhost=127.0.0.1\nport={server.port}\n")
        common = [f"--config.my-cnf={my_cnf}"]
        return {
            "default": sidebyside.run_pair(workdir, "mysql_exporter", "prometheus-mysqld-exporter", common, scrapes),
            "all": sidebyside.run_pair(workdir, "mysql_exporter", "prometheus-mysqld-exporter",
                                       [*common, *all_scraper_flags(datadir)], scrapes),
            "floor": rss_floor(),
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrapes", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        results = run(args.scrapes, workdir)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    sidebyside.print_table(f"MySQL exporter: {args.scrapes} interleaved scrapes each against MariaDB, default "
                           "scrapers", results["default"])
    print()
    sidebyside.print_table(f"MySQL exporter: {args.scrapes} interleaved scrapes each against MariaDB, every scraper "
                           f"({len(SCRAPERS.units)}) on", results["all"])
    floor, go = results["floor"], results["default"]["go"]["rss_mb"]
    print(f"\nRSS floor: this Python alone {floor['interpreter_mb']:.1f} MB; having imported {', '.join(LIBRARIES)} "
          f"and nothing else {floor['libraries_mb']:.1f} MB ({floor['libraries_mb'] / go:.2f}x Go's default RSS)")


if __name__ == "__main__":
    main()
