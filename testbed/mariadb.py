"""A throw-away MariaDB server (Debian's mariadb-server binaries) in its own data directory on a free
loopback port, for tests, benchmarks and the local stack. Nothing of the system's MariaDB is touched."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from testbed.harness import free_port, wait_for

EXPORTER_USER = "exporter"
# Least privilege for the exporter, as mysqld_exporter's README asks (MariaDB 10.5+ names SLAVE MONITOR).
EXPORTER_GRANTS = ("PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT",)
# SHOW SLAVE HOSTS (the slave_hosts scraper) needs this on MariaDB 10.5+; granted only where that scraper runs.
SLAVE_HOSTS_GRANT = "REPLICATION MASTER ADMIN"
# What the non-default scrapers read: userstat tables, and performance_schema with every instrument (memory
# ones included, off by default) feeding the summary tables; the consumers those tables need, spelled out.
ALL_SCRAPERS_ARGS = ("--performance-schema=ON", "--userstat=1", "--performance-schema-instrument=%=ON",
                     "--performance-schema-consumer-global-instrumentation=ON",
                     "--performance-schema-consumer-thread-instrumentation=ON",
                     "--performance-schema-consumer-statements-digest=ON")
HEARTBEAT_TABLE = ("CREATE DATABASE IF NOT EXISTS heartbeat; CREATE TABLE IF NOT EXISTS heartbeat.heartbeat ("
                   "ts varchar(26) NOT NULL, server_id int unsigned NOT NULL PRIMARY KEY, file varchar(255) DEFAULT "
                   "NULL, position bigint unsigned DEFAULT NULL, relay_master_log_file varchar(255) DEFAULT NULL, "
                   "exec_master_log_pos bigint unsigned DEFAULT NULL);")


def binaries() -> tuple[str, str] | None:
    server = shutil.which("mariadbd") or (os.path.exists("/usr/sbin/mariadbd") and "/usr/sbin/mariadbd")
    install = shutil.which("mariadb-install-db")
    return (server, install) if server and install else None


@dataclass
class MariaDB:
    datadir: Path
    port: int
    process: subprocess.Popen | None = None
    server_id: int = 1

    @property
    def socket(self) -> str:
        return str(self.datadir / "mysqld.sock")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, extra_args: tuple[str, ...] = ()) -> MariaDB:
        found = binaries()
        if found is None:
            raise RuntimeError("mariadbd / mariadb-install-db not found: apt-get install mariadb-server")
        server, install = found
        # Its own temporary tables, for the bootstrap too: a server starting removes every `#sql*` file left in
        # its tmpdir, so bootstraps sharing /tmp delete each other's temporary tables when run in parallel.
        tmpdir = self.datadir.with_name(self.datadir.name + ".tmp")  # beside: in datadir it would be a schema
        tmpdir.mkdir(parents=True, exist_ok=True)
        self.datadir.mkdir(exist_ok=True)
        if not (self.datadir / "mysql").exists():
            done = subprocess.run([install, "--no-defaults", f"--datadir={self.datadir}", "--user=root",
                                   "--auth-root-authentication-method=socket", "--skip-test-db", f"--tmpdir={tmpdir}"],
                                  capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                said = (done.stderr.strip() or done.stdout.strip())[-2000:]
                raise RuntimeError(f"mariadb-install-db --datadir={self.datadir} exited {done.returncode}: {said}")
        self._extra = extra_args
        log = open(self.datadir / "server.log", "ab")  # noqa: SIM115 - owned by the child process
        self.process = subprocess.Popen(
            [server, "--no-defaults", f"--datadir={self.datadir}", f"--socket={self.socket}", f"--port={self.port}",
             "--bind-address=127.0.0.1", "--user=root", f"--pid-file={self.datadir / 'mysqld.pid'}",
             f"--tmpdir={tmpdir}", "--skip-name-resolve", "--innodb-buffer-pool-size=32M",
             "--innodb-log-file-size=16M",
             f"--server-id={self.server_id}", "--log-bin=mysql-bin", "--max-connections=100", *extra_args],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        wait_for(lambda: self.process.poll() is None and self.ping(), timeout=60, what=f"MariaDB on {self.port}")
        return self

    def restart(self) -> None:
        self.stop()
        self.start(self._extra)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def ping(self) -> bool:
        return self.sql("SELECT 1") == [("1",)]

    def sql(self, statement: str) -> list[tuple[str, ...]]:
        """Run SQL as root over the socket with the mariadb client; rows as tuples of strings."""
        result = subprocess.run(["mariadb", "--no-defaults", "-uroot", f"--socket={self.socket}", "-N", "-B", "-e",
                                 statement], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"SQL failed: {statement!r}: {result.stderr.strip()}")
        return [tuple(line.split("\t")) for line in result.stdout.splitlines()]

    def create_exporter_user(self, password: str, user: str = EXPORTER_USER,
                             extra_grants: tuple[str, ...] = ()) -> None:
        self.sql(f"CREATE USER IF NOT EXISTS '{user}'@'%' IDENTIFIED BY '{password}' WITH MAX_USER_CONNECTIONS 10;"
                 + "".join(f"GRANT {grant} ON *.* TO '{user}'@'%';" for grant in (*EXPORTER_GRANTS, *extra_grants)))

    def write_heartbeat(self, utc: bool = False) -> None:
        """One beat as `pt-heartbeat --update` writes it: the time as ISO text with microseconds, this server's
        id and its binlog coordinates, in heartbeat.heartbeat (replicated to the replicas)."""
        now = "UTC_TIMESTAMP(6)" if utc else "NOW(6)"
        status = self.sql("SHOW MASTER STATUS")
        file, position = (status[0][0], status[0][1]) if status else ("", "0")
        self.sql(HEARTBEAT_TABLE + "REPLACE INTO heartbeat.heartbeat (ts, server_id, file, position) VALUES ("
                 f"DATE_FORMAT({now}, '%Y-%m-%dT%H:%i:%s.%f'), @@server_id, '{file}', {int(position)});")

    def connection_count(self, user: str = EXPORTER_USER) -> int:
        rows = self.sql(f"SELECT COUNT(*) FROM information_schema.processlist WHERE user = '{user}'")
        return int(rows[0][0])


def start_mariadb(datadir: Path, server_id: int = 1, port: int | None = None,
                  extra_args: tuple[str, ...] = ()) -> MariaDB:
    return MariaDB(datadir, port or free_port(), server_id=server_id).start(extra_args)


def prepare_for_all_scrapers(primary: MariaDB) -> None:
    """What the non-default scrapers need to have something to read: a pt-heartbeat table with a beat, tables
    with auto_increment columns (one close to its type's limit), some statements in the digest tables."""
    primary.write_heartbeat()
    primary.sql("CREATE DATABASE IF NOT EXISTS shop; CREATE TABLE IF NOT EXISTS shop.orders "
                "(id INT PRIMARY KEY AUTO_INCREMENT, item VARCHAR(20), KEY item (item));"
                "INSERT INTO shop.orders (item) VALUES ('a'), ('b'), ('c');"
                "CREATE TABLE IF NOT EXISTS shop.tiny (id TINYINT UNSIGNED PRIMARY KEY AUTO_INCREMENT);"
                "INSERT IGNORE INTO shop.tiny VALUES (250);"
                "SELECT COUNT(*) FROM shop.orders WHERE item = 'a'; UPDATE shop.orders SET item = 'd' WHERE id = 3;")


def make_replica(primary: MariaDB, replica: MariaDB, password: str = "repl-pass") -> None:
    """Point `replica` at `primary` with GTID replication and wait until both threads run."""
    primary.sql(f"CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '{password}';"
                "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';")
    replica.sql(f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={primary.port}, MASTER_USER='repl', "
                f"MASTER_PASSWORD='{password}', MASTER_USE_GTID=slave_pos; START SLAVE;")

    def running() -> bool:
        rows = replica.sql("SELECT COUNT(*) FROM information_schema.global_status WHERE "
                           "variable_name = 'SLAVE_RUNNING' AND variable_value = 'ON'")
        return rows == [("1",)]

    wait_for(running, timeout=60, what="replication running")
