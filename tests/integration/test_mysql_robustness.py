"""The MySQL exporter under the things that go wrong: the server going away and coming back, many scrapes,
wrong credentials, missing privileges, an unreachable host. It stays up, says so in mysql_up and one log
line, recovers by itself, and never shows a password."""

from __future__ import annotations

import threading

import pytest
import requests

from testbed.harness import free_port, wait_for
from testbed.mariadb import start_mariadb
from tests.conftest import EXPORTER_PASSWORD, require_binary, write_my_cnf

pytestmark = pytest.mark.integration


def scrape(daemon, path: str = "/metrics") -> str:
    response = requests.get(f"http://127.0.0.1:{daemon.port}{path}", timeout=30)
    assert response.status_code == 200, response.text
    return response.text


def value(text: str, series: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


@pytest.fixture
def own_mariadb(tmp_path):
    """A server of this test's own, free to be stopped and restarted."""
    require_binary("mariadbd")
    server = start_mariadb(tmp_path / "mariadb", extra_args=("--userstat=1",))  # per-user connection counts
    server.create_exporter_user(EXPORTER_PASSWORD)
    yield server
    server.stop()


def test_outage_and_recovery(tmp_path, own_mariadb, start_mysql_exporter):
    exporter = start_mysql_exporter(f"--config.my-cnf={write_my_cnf(tmp_path / 'my.cnf', own_mariadb)}")
    assert value(scrape(exporter), "mysql_up") == 1.0
    own_mariadb.stop()
    down = scrape(exporter)  # the very next scrape tells the truth
    assert value(down, "mysql_up") == 0.0
    assert value(down, "mysql_exporter_last_scrape_error") == 1.0
    assert requests.get(f"http://127.0.0.1:{exporter.port}/healthz", timeout=5).status_code == 200
    assert value(scrape(exporter), "mysql_up") == 0.0
    assert exporter.log().count("MySQL is unreachable") == 1  # one clear line, not one per scrape
    own_mariadb.start()
    wait_for(lambda: value(scrape(exporter), "mysql_up") == 1.0, timeout=30, what="mysql_up back to 1")
    assert "MySQL is reachable again" in exporter.log()
    assert value(scrape(exporter), "mysql_global_status_uptime") is not None
    assert exporter.process.poll() is None


def test_connections_stay_bounded_over_1000_scrapes(tmp_path, own_mariadb, start_mysql_exporter):
    exporter = start_mysql_exporter(f"--config.my-cnf={write_my_cnf(tmp_path / 'my.cnf', own_mariadb)}",
                                    "--exporter.max-connections=2")
    peak = [0]
    session = requests.Session()

    def hammer(count: int) -> None:
        for _ in range(count):
            assert session.get(f"http://127.0.0.1:{exporter.port}/metrics", timeout=30).status_code == 200

    threads = [threading.Thread(target=hammer, args=(250,)) for _ in range(4)]  # 1,000 scrapes, 4 at a time
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak[0] = max(peak[0], own_mariadb.connection_count())
        threads[0].join(0.05)
    for thread in threads:
        thread.join()
    assert 0 < peak[0] <= 2
    assert own_mariadb.connection_count() <= 2
    # Every scrape reused a pooled connection: over 1,000 scrapes the exporter's user logged in twice at most.
    opened = own_mariadb.sql("SELECT TOTAL_CONNECTIONS FROM information_schema.USER_STATISTICS WHERE USER = 'exporter'")
    assert 1 <= int(opened[0][0]) <= 2
    assert value(scrape(exporter), "mysql_exporter_scrapes_total") >= 1000


def test_wrong_password_is_served_with_mysql_up_0_and_no_password_anywhere(tmp_path, mariadb_primary,
                                                                           start_mysql_exporter):
    wrong = "not-the-password-42"
    my_cnf = write_my_cnf(tmp_path / "my.cnf", mariadb_primary, password=wrong)
    exporter = start_mysql_exporter(f"--config.my-cnf={my_cnf}")
    text = scrape(exporter)
    assert value(text, "mysql_up") == 0.0
    log = exporter.log()
    assert "Access denied" in log
    assert wrong not in log and wrong not in text
    assert wrong not in " ".join(exporter.process.args)


def test_password_from_environment_never_in_argv(tmp_path, mariadb_primary, start_mysql_exporter):
    # HOME without a .my.cnf: the flags and the environment are the only source.
    exporter = start_mysql_exporter(f"--mysqld.address={mariadb_primary.address}", "--mysqld.username=exporter",
                                    env={"MYSQLD_EXPORTER_PASSWORD": EXPORTER_PASSWORD, "HOME": str(tmp_path)})
    text = scrape(exporter)
    assert value(text, "mysql_up") == 1.0
    assert EXPORTER_PASSWORD not in " ".join(exporter.process.args)
    assert EXPORTER_PASSWORD not in exporter.log() and EXPORTER_PASSWORD not in text


def test_unreachable_host_is_mysql_up_0(tmp_path, start_mysql_exporter):
    exporter = start_mysql_exporter(f"--mysqld.address=127.0.0.1:{free_port()}", "--mysqld.username=exporter",
                                    "--exporter.timeout=2", env={"HOME": str(tmp_path)})
    text = scrape(exporter)
    assert value(text, "mysql_up") == 0.0
    assert "MySQL is unreachable" in exporter.log()


def test_missing_privilege_fails_only_that_scraper(tmp_path, mariadb_replica, start_mysql_exporter):
    # Without SLAVE MONITOR (MariaDB 10.5+) replica status cannot be read; everything else can.
    mariadb_replica.sql("CREATE USER IF NOT EXISTS 'limited'@'%' IDENTIFIED BY 'limited-pw';"
                        "GRANT PROCESS, SELECT ON *.* TO 'limited'@'%';")
    my_cnf = write_my_cnf(tmp_path / "my.cnf", mariadb_replica, user="limited", password="limited-pw")
    exporter = start_mysql_exporter(f"--config.my-cnf={my_cnf}")
    text = scrape(exporter)
    assert value(text, "mysql_up") == 1.0
    assert value(text, 'mysql_exporter_scrape_errors_total{collector="collect.slave_status"}') == 1.0
    assert value(text, "mysql_exporter_last_scrape_error") == 1.0
    assert value(text, "mysql_global_status_uptime") is not None
    assert value(text, "mysql_global_variables_max_connections") is not None
    assert "mysql_slave_status_" not in text
    assert "collect.slave_status" in exporter.log()


def test_replica_status_families(tmp_path, mariadb_primary, mariadb_replica, start_mysql_exporter):
    exporter = start_mysql_exporter(f"--config.my-cnf={write_my_cnf(tmp_path / 'my.cnf', mariadb_replica)}")
    text = scrape(exporter)
    labels = '{channel_name="",connection_name="",master_host="127.0.0.1",master_uuid=""}'
    assert value(text, f"mysql_slave_status_slave_io_running{labels}") == 1.0
    assert value(text, f"mysql_slave_status_slave_sql_running{labels}") == 1.0
    assert value(text, f"mysql_slave_status_master_port{labels}") == float(mariadb_primary.port)
    assert value(text, f"mysql_slave_status_seconds_behind_master{labels}") is not None
    mariadb_replica.sql("STOP SLAVE SQL_THREAD")
    try:
        assert value(scrape(exporter), f"mysql_slave_status_slave_sql_running{labels}") == 0.0
    finally:
        mariadb_replica.sql("START SLAVE SQL_THREAD")


def test_probe_watches_other_servers_by_auth_module(tmp_path, mariadb_primary, mariadb_replica, start_mysql_exporter):
    my_cnf = write_my_cnf(tmp_path / "my.cnf", mariadb_primary,
                          extra=f"[client.servers]\nuser=exporter\npassword={EXPORTER_PASSWORD}\n")
    exporter = start_mysql_exporter(f"--config.my-cnf={my_cnf}")
    base = f"http://127.0.0.1:{exporter.port}/probe"
    replica = requests.get(base, params={"target": mariadb_replica.address, "auth_module": "client.servers"},
                           timeout=30)
    assert replica.status_code == 200
    assert value(replica.text, "mysql_up") == 1.0
    assert "mysql_slave_status_slave_io_running" in replica.text  # it really is the replica's data
    assert "process_resident_memory_bytes" not in replica.text
    primary = requests.get(base, params={"target": mariadb_primary.address}, timeout=30)
    assert value(primary.text, "mysql_up") == 1.0 and "mysql_slave_status_" not in primary.text
    assert requests.get(base, params={"target": mariadb_primary.address, "auth_module": "nope"},
                        timeout=10).status_code == 400
    assert requests.get(base, timeout=10).status_code == 400
    down = requests.get(base, params={"target": f"127.0.0.1:{free_port()}"}, timeout=30)
    assert value(down.text, "mysql_up") == 0.0
