"""Conformance with Debian's Go prometheus-mysqld-exporter (0.14) against the same real MariaDB servers
(primary and GTID replica), EVERY scraper on in both: every family Go serves is ours too, with its type, HELP
and label-key sets; the series Go serves are ours; what does not move between two back-to-back scrapes has
the same value. An idle server yields at least the processlist families Go yields.

Scrapers that need a server this machine does not have (MySQL Group Replication and its multi-threaded
applier, TokuDB, Aurora's replica_host_status, MySQL's tablespace table) are tested on recorded result sets in
tests/unit/mysql/test_scrapers_recorded.py; on MariaDB both exporters count them as scrape errors (Go) or
serve what MariaDB has (ours, for innodb_tablespaces)."""

from __future__ import annotations

import re
import subprocess

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from mysql_exporter.scraper import SCRAPERS
from mysql_exporter.scrapers import __name__ as _scrapers_loaded  # noqa: F401 - registers the scrapers
from testbed.harness import free_port, start_daemon
from tests.conftest import require_binary, write_my_cnf
from tests.exposition import families

pytestmark = pytest.mark.integration

# Families of the Go exporter we do not emit, each with its reason.
EXCEPTIONS = ("go_",)  # the Go runtime's own metrics; ours are the Python runtime's
# Series naming things that come and go with each exporter's own activity: statement digests (each exporter's
# own queries), threads, per-collector timings, rows touched per table/user/client.
TRANSIENT_SERIES = ("mysql_info_schema_processlist_", "mysql_perf_schema_events_statements_",
                    "mysql_exporter_", "mysql_info_schema_table_statistics_", "mysql_info_schema_schema_statistics_",
                    "mysql_info_schema_client_statistics_", "mysql_info_schema_user_statistics_",
                    "mysql_perf_schema_memory_events_", "mysql_perf_schema_file_instances")
# Families whose values do not move between two back-to-back scrapes.
STABLE_VALUES = ("mysql_global_variables_", "mysql_version_info", "mysql_info_schema_table_version",
                 "mysql_info_schema_table_rows", "mysql_info_schema_innodb_cmp", "mysql_info_schema_auto_increment_",
                 "mysql_mysql_", "mysql_heartbeat_stored_timestamp_seconds", "mysql_heartbeat_mysql_slave_hosts_info",
                 "mysql_transaction_isolation", "mysql_binlog_files", "mysql_binlog_file_number")
STABLE_REPLICA_COLUMNS = {f"mysql_slave_status_{c}" for c in (
    "slave_io_running", "slave_sql_running", "master_port", "master_server_id", "last_errno", "connect_retry")}


def go_scraper_names(binary: str) -> set[str]:
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30).stderr
    names = {a or b for a, b in re.findall(r"--\[no-\]collect\.([a-z_.]+)|--collect\.([a-z_.]+)\s", help_text)}
    # Boolean sub-flags (--collect.mysql.user.privileges) look like scrapers: drop those under a scraper's name.
    return {name for name in names if not any(name.startswith(other + ".") for other in names)}


def all_scraper_flags(datadir: str) -> list[str]:
    """Every scraper on, with the sub-flags that make them read something on this server."""
    return [*(f"--collect.{name}" for name in sorted(SCRAPERS.units)), "--collect.mysql.user.privileges",
            f"--collect.perf_schema.file_instances.remove_prefix={datadir}/"]


def helps(text: str) -> dict[str, str]:
    return {family.name: family.documentation for family in text_string_to_metric_families(text)}


def scrape_both(tmp_path, server, start_mysql_exporter, args: list[str]) -> tuple[str, str]:
    my_cnf = write_my_cnf(tmp_path / "my.cnf", server)
    port = free_port()
    go = start_daemon("go-mysqld-exporter", [require_binary("prometheus-mysqld-exporter"), f"--config.my-cnf={my_cnf}",
                                             f"--web.listen-address=127.0.0.1:{port}", *args],
                      port, str(tmp_path / "go.log"))
    ours = start_mysql_exporter(f"--config.my-cnf={my_cnf}", *args)
    try:
        go_text = requests.get(f"http://127.0.0.1:{go.port}/metrics", timeout=30).text
        our_text = requests.get(f"http://127.0.0.1:{ours.port}/metrics", timeout=30).text
    finally:
        go.stop()
    return go_text, our_text


@pytest.fixture(params=["primary", "replica"])
def both(request, tmp_path, start_mysql_exporter):
    server = request.getfixturevalue(f"mariadb_{request.param}")
    if request.param == "primary":
        server.write_heartbeat()  # a fresh beat, replicated, as pt-heartbeat --update keeps writing
    go_text, our_text = scrape_both(tmp_path, server, start_mysql_exporter, all_scraper_flags(str(server.datadir)))
    return request.param, (families(go_text), helps(go_text)), (families(our_text), helps(our_text))


def test_we_have_every_scraper_go_has():
    assert set(SCRAPERS.units) == go_scraper_names(require_binary("prometheus-mysqld-exporter"))


def test_every_go_family_label_key_set_and_help_is_ours_too(both):
    _, (go, go_help), (ours, our_help) = both
    missing = [name for name in go if not name.startswith(EXCEPTIONS) and name not in ours]
    assert missing == []
    for name, entry in go.items():
        if name.startswith(EXCEPTIONS):
            continue
        assert ours[name]["type"] == entry["type"], name
        assert entry["label_keys"] <= ours[name]["label_keys"], (name, entry["label_keys"], ours[name]["label_keys"])
        if not name.startswith("process_"):
            assert our_help[name] == go_help[name], name
    assert ours["mysql_up"]["samples"][("mysql_up", ())] == 1.0
    # The comparison was real: the scrapers this server can feed all served something on both sides.
    assert len([n for n in go if n.startswith("mysql_global_variables_")]) > 300
    for name in ("mysql_info_schema_auto_increment_column", "mysql_heartbeat_stored_timestamp_seconds",
                 "mysql_mysql_max_connections", "mysql_mysql_select_priv", "mysql_perf_schema_events_statements_sum",
                 "mysql_perf_schema_index_io_waits", "mysql_perf_schema_sql_lock_waits",
                 "mysql_perf_schema_file_events", "mysql_perf_schema_events_waits",
                 "mysql_engine_innodb_read_views_open_inside_innodb"):
        assert go[name]["samples"], name


def test_role_specific_families(both):
    role, (go, _), (ours, _) = both
    if role == "replica":  # the primary's pt-heartbeat row arrived through replication
        stored = ours["mysql_heartbeat_stored_timestamp_seconds"]["samples"]
        assert [dict(labels)["server_id"] for _, labels in stored] == ["1"]
        assert stored == go["mysql_heartbeat_stored_timestamp_seconds"]["samples"]
        return
    # userstat, memory instruments and the replica list are set up on the primary.
    for name in ("mysql_info_schema_user_statistics_total_connections", "mysql_info_schema_client_statistics_rows_read",
                 "mysql_info_schema_table_statistics_rows_read", "mysql_info_schema_schema_statistics_rows_read",
                 "mysql_perf_schema_memory_events_alloc_bytes", "mysql_perf_schema_file_instances",
                 "mysql_heartbeat_mysql_slave_hosts_info"):
        assert go[name]["samples"] and ours[name]["samples"], name
    hosts = ours["mysql_heartbeat_mysql_slave_hosts_info"]["samples"]
    assert [dict(labels)["slave_host"] for _, labels in hosts] == ["replica-1"]
    # MariaDB's tablespace table lacks FILE_FORMAT/SPACE_TYPE: Go's query fails there, ours serves what it has.
    assert ours["mysql_info_schema_innodb_tablespace_file_size_bytes"]["samples"]


def test_series_and_values_read_back_to_back_agree(both):
    _, (go, _), (ours, _) = both
    for name, entry in go.items():
        if name.startswith(EXCEPTIONS) or name.startswith(TRANSIENT_SERIES):
            continue
        if name.startswith(("process_", "mysql_global_status_", "mysqld_exporter_build_info", "promhttp_")):
            continue
        assert set(entry["samples"]) <= set(ours[name]["samples"]), name
        if name.startswith(STABLE_VALUES) or name in STABLE_REPLICA_COLUMNS:
            assert ours[name]["samples"] == entry["samples"], name
    for key, go_now in go["mysql_heartbeat_now_timestamp_seconds"]["samples"].items():
        assert go_now <= ours["mysql_heartbeat_now_timestamp_seconds"]["samples"][key] <= go_now + 30
    go_commands = go["mysql_global_status_commands"]["samples"]
    our_commands = ours["mysql_global_status_commands"]["samples"]
    assert set(go_commands) == set(our_commands)
    for key, value in go_commands.items():
        assert value <= our_commands[key] <= value + 200, key  # ours was scraped second: equal or a little ahead
    go_statements = go["mysql_perf_schema_events_statements_sum"]["samples"]
    our_statements = ours["mysql_perf_schema_events_statements_sum"]["samples"]
    for key, value in go_statements.items():
        assert value <= our_statements[key] <= value + 500, key


@pytest.fixture
def idle_mariadb(tmp_path):
    """A server nobody uses: no replication threads, no clients but the exporters."""
    require_binary("mariadbd")
    from testbed.mariadb import start_mariadb
    from tests.conftest import EXPORTER_PASSWORD

    server = start_mariadb(tmp_path / "idle", server_id=9)
    server.create_exporter_user(EXPORTER_PASSWORD)
    yield server
    server.stop()


@pytest.mark.parametrize("min_time", ["0", "100000"])
def test_idle_server_processlist_families(tmp_path, idle_mariadb, start_mysql_exporter, min_time):
    args = ["--collect.info_schema.processlist", f"--collect.info_schema.processlist.min_time={min_time}"]
    go_text, our_text = scrape_both(tmp_path, idle_mariadb, start_mysql_exporter, args)
    go, ours = families(go_text), families(our_text)
    for name, entry in go.items():
        if name.startswith("mysql_info_schema_processlist_"):
            assert name in ours and entry["label_keys"] <= ours[name]["label_keys"] | {frozenset()}, name
    # Ours declares every processlist family even with no thread to count, and the scraper did not fail.
    for name in ("mysql_info_schema_processlist_threads", "mysql_info_schema_processlist_seconds",
                 "mysql_info_schema_processlist_processes_by_host", "mysql_info_schema_processlist_processes_by_user"):
        assert name in ours, name
    assert ("mysql_exporter_scrape_errors_total", (("collector", "collect.info_schema.processlist"),)) not in \
        ours.get("mysql_exporter_scrape_errors", {"samples": {}})["samples"]
