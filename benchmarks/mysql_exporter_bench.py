"""Our MySQL exporter side by side with Go's mysqld_exporter (Debian prometheus-mysqld-exporter) against one
throw-away MariaDB (userstat and performance_schema on, a pt-heartbeat table), in one run and two modes:
default scrapers, then every scraper on.

    python -m benchmarks.mysql_exporter_bench [--scrapes 300] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks import sidebyside
from mysql_exporter.scraper import SCRAPERS
from mysql_exporter.scrapers import __name__ as _scrapers_loaded  # noqa: F401 - registers the scrapers
from testbed.mariadb import ALL_SCRAPERS_ARGS, SLAVE_HOSTS_GRANT, prepare_for_all_scrapers, start_mariadb

PASSWORD = "bench-pw"


def all_scraper_flags(datadir: Path) -> list[str]:
    return [*(f"--collect.{name}" for name in sorted(SCRAPERS.units)), "--collect.mysql.user.privileges",
            f"--collect.perf_schema.file_instances.remove_prefix={datadir}/"]


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


if __name__ == "__main__":
    main()
