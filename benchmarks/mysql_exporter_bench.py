"""Our MySQL exporter side by side with Go's mysqld_exporter (Debian prometheus-mysqld-exporter) against one
throw-away MariaDB, default scrapers, in one run.

    python -m benchmarks.mysql_exporter_bench [--scrapes 500] [--json]
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import sidebyside
from testbed.mariadb import start_mariadb

PASSWORD = "bench-pw"


def run(scrapes: int, workdir: str) -> dict:
    server = start_mariadb(Path(workdir) / "mariadb")
    try:
        server.create_exporter_user(PASSWORD)
        my_cnf = Path(workdir) / "my.cnf"
        my_cnf.write_text(f"[client]\nuser=exporter\npassword={PASSWORD}\nhost=127.0.0.1\nport={server.port}\n")
        return sidebyside.run_pair(workdir, "mysql_exporter", "prometheus-mysqld-exporter",
                                   [f"--config.my-cnf={my_cnf}"], scrapes)
    finally:
        server.stop()


if __name__ == "__main__":
    sidebyside.main(__doc__, run, lambda n: f"MySQL exporter: {n} interleaved scrapes each against MariaDB, "
                    "default scrapers", 500)
