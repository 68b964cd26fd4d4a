"""Conformance with Debian's Go prometheus-mysqld-exporter against the same real MariaDB replica, in one test
run: every family and label-key set it emits for the scrapers we implement is ours too, and what is read
back to back agrees."""

from __future__ import annotations

import pytest
import requests

from testbed.harness import free_port, start_daemon
from tests.conftest import require_binary, write_my_cnf
from tests.exposition import families

pytestmark = pytest.mark.integration

# Every non-default scraper the issue names, on top of the defaults (global_status, global_variables,
# slave_status, info_schema.innodb_cmp, info_schema.innodb_cmpmem, info_schema.query_response_time).
EXTRA_SCRAPERS = ("--collect.info_schema.innodb_metrics", "--collect.info_schema.processlist",
                  "--collect.info_schema.tables", "--collect.binlog_size", "--collect.perf_schema.tableiowaits",
                  "--collect.perf_schema.eventsstatements")
# Families of the Go exporter we do not emit, each with its reason.
EXCEPTIONS = ("go_",)  # the Go runtime's own metrics; ours are the Python runtime's
STABLE_REPLICA_COLUMNS = {f"mysql_slave_status_{c}" for c in (
    "slave_io_running", "slave_sql_running", "master_port", "master_server_id", "last_errno", "connect_retry")}




@pytest.fixture(params=["replica", "primary"])
def both(request, tmp_path, start_mysql_exporter):
    server = request.getfixturevalue(f"mariadb_{request.param}")
    my_cnf = write_my_cnf(tmp_path / "my.cnf", server)
    port = free_port()
    go = start_daemon("go-mysqld-exporter", [require_binary("prometheus-mysqld-exporter"), f"--config.my-cnf={my_cnf}",
                                             f"--web.listen-address=127.0.0.1:{port}", *EXTRA_SCRAPERS],
                      port, str(tmp_path / "go.log"))
    ours = start_mysql_exporter(f"--config.my-cnf={my_cnf}", *EXTRA_SCRAPERS)
    try:
        go_text = requests.get(f"http://127.0.0.1:{go.port}/metrics", timeout=30).text
        our_text = requests.get(f"http://127.0.0.1:{ours.port}/metrics", timeout=30).text
    finally:
        go.stop()
    return families(go_text), families(our_text)


def test_every_go_family_and_label_key_set_is_ours_too(both):
    go, ours = both
    missing = [name for name in go if not name.startswith(EXCEPTIONS) and name not in ours]
    assert missing == []
    for name, entry in go.items():
        if name.startswith(EXCEPTIONS):
            continue
        assert ours[name]["type"] == entry["type"], name
        assert entry["label_keys"] <= ours[name]["label_keys"], (name, entry["label_keys"], ours[name]["label_keys"])
    assert ours["mysql_up"]["samples"][("mysql_up", ())] == 1.0
    assert len([n for n in go if n.startswith("mysql_global_variables_")]) > 300  # the comparison was real


def test_series_and_values_read_back_to_back_agree(both):
    go, ours = both
    for name, entry in go.items():
        if name.startswith("mysql_slave_status_"):
            assert set(ours[name]["samples"]) == set(entry["samples"]), name
        if not name.startswith(("mysql_global_variables_", "mysql_version_info", "mysql_info_schema_table",
                                "mysql_info_schema_innodb_cmp")) and name not in STABLE_REPLICA_COLUMNS:
            continue
        # Variables, table sizes and the replica's configuration do not move between two back-to-back scrapes.
        assert ours[name]["samples"] == entry["samples"], name
    go_commands = go["mysql_global_status_commands"]["samples"]
    our_commands = ours["mysql_global_status_commands"]["samples"]
    assert set(go_commands) == set(our_commands)
    for key, value in go_commands.items():
        assert value <= our_commands[key] <= value + 50, key  # ours was scraped second: equal or a little ahead
