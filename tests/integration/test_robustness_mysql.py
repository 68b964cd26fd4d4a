"""A real MariaDB answering one scraper with malformed rows: a pt-heartbeat table whose rows hold text that is no
time and a NULL server id (UNIX_TIMESTAMP gives NULL for the one, the label would be NULL for the other). The MySQL
exporter keeps mysql_up 1, fails the heartbeat scraper alone and serves every other one."""

from __future__ import annotations

import re

import pytest
import requests

from tests.conftest import write_my_cnf

pytestmark = pytest.mark.integration
ODD_TABLE = ("CREATE DATABASE IF NOT EXISTS oddbeat; DROP TABLE IF EXISTS oddbeat.heartbeat; "
             "CREATE TABLE oddbeat.heartbeat (ts varchar(40), server_id varchar(20) NULL);")


@pytest.mark.parametrize("rows", [
    "('not a time at all', '1')",
    "(NULL, NULL)",
    "('2024-01-01 00:00:00', NULL)",
    "('9999-99-99T99:99:99', 'x'), ('2024-01-01T00:00:00', '1')",
], ids=["text-for-time", "all-null", "null-server-id", "one-good-one-bad"])
def test_a_malformed_row_fails_its_scraper_alone(mariadb_primary, start_mysql_exporter, tmp_path, rows):
    mariadb_primary.sql(ODD_TABLE + f"INSERT INTO oddbeat.heartbeat VALUES {rows};")
    cnf = write_my_cnf(tmp_path / "my.cnf", mariadb_primary)
    daemon = start_mysql_exporter(f"--config.my-cnf={cnf}", "--collect.heartbeat",
                                  "--collect.heartbeat.database=oddbeat", "--collect.info_schema.processlist")
    for _ in range(2):  # the second scrape too: nothing stays broken
        text = requests.get(f"http://127.0.0.1:{daemon.port}/metrics", timeout=60).text
        assert re.search(r"^mysql_up 1(\.0)?$", text, re.M)
        errors = dict(re.findall(r'^mysql_exporter_scrape_errors_total\{collector="([^"]+)"\} (\S+)$', text, re.M))
        assert set(errors) == {"collect.heartbeat"}, errors
        assert "mysql_global_status_uptime " in text and "mysql_global_variables_max_connections " in text
        assert "mysql_info_schema_processlist_seconds" in text or "mysql_info_schema_threads" in text
        assert "mysql_heartbeat_stored_timestamp_seconds{" not in text  # nothing half-made from the bad rows
    assert daemon.process.poll() is None
