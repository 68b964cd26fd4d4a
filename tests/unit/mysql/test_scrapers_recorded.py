"""Scrapers for servers this machine does not run (MySQL Group Replication and multi-threaded appliers,
Percona TokuDB, Amazon Aurora, MySQL 8's tablespace table and SHOW SLAVE HOSTS shapes), run on result sets
recorded in the shape those servers return them, rendered and read back as Prometheus would."""

from __future__ import annotations

import mysql.connector
import pytest

from exporter_toolkit.exposition import render
from mysql_exporter.scrapers.engine_innodb_status import EngineInnodbStatus
from mysql_exporter.scrapers.engine_tokudb_status import EngineTokudbStatus
from mysql_exporter.scrapers.info_schema_innodb_tablespaces import InnodbTablespaces
from mysql_exporter.scrapers.info_schema_replica_host import ReplicaHost
from mysql_exporter.scrapers.info_schema_userstats import UserStats
from mysql_exporter.scrapers.mysql_user import MysqlUser
from mysql_exporter.scrapers.perf_schema_eventsstatementssum import EventsStatementsSum
from mysql_exporter.scrapers.perf_schema_replication_applier_status_by_worker import (
    ReplicationApplierStatusByWorker,
)
from mysql_exporter.scrapers.perf_schema_replication_group_member_stats import ReplicationGroupMemberStats
from mysql_exporter.scrapers.perf_schema_replication_group_members import ReplicationGroupMembers
from mysql_exporter.scrapers.slave_hosts import SlaveHosts
from tests.exposition import families


class RecordedDB:
    """A DB whose queries answer with recorded (columns, rows); the first matching fragment wins."""

    def __init__(self, answers: dict[str, tuple[list[str], list[tuple]] | Exception]) -> None:
        self.answers = answers
        self.queries: list[str] = []
        self.cache: dict = {}

    def query(self, sql: str, params: tuple | None = None):
        self.queries.append(sql)
        for fragment, answer in self.answers.items():
            if fragment in sql:
                if isinstance(answer, Exception):
                    raise answer
                return answer
        raise AssertionError(f"unexpected query {sql!r}")

    def value(self, sql: str):
        _, rows = self.query(sql)
        return rows[0][0] if rows else None


def scrape(scraper, db) -> dict[str, dict]:
    return families(render(scraper.scrape(db), "")[1].decode())


def sample(parsed: dict, family: str, name: str | None = None, **labels: str) -> float:
    return parsed[family]["samples"][(name or family, tuple(sorted(labels.items())))]


GROUP_MEMBER_STATS_MYSQL8 = (
    ["CHANNEL_NAME", "VIEW_ID", "MEMBER_ID", "COUNT_TRANSACTIONS_IN_QUEUE", "COUNT_TRANSACTIONS_CHECKED",
     "COUNT_CONFLICTS_DETECTED", "COUNT_TRANSACTIONS_ROWS_VALIDATING", "TRANSACTIONS_COMMITTED_ALL_MEMBERS",
     "LAST_CONFLICT_FREE_TRANSACTION", "COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE",
     "COUNT_TRANSACTIONS_REMOTE_APPLIED", "COUNT_TRANSACTIONS_LOCAL_PROPOSED", "COUNT_TRANSACTIONS_LOCAL_ROLLBACK"],
    [("group_replication_applier", "15813535259046852:43", "e14c4f71-025f-11ea-b800-0620049edbec", "2", "7810",
      "3", "12", "8ef7bd9b-bb5b-11e8-9c37-0242ac110004:1-13,e14c4f71-025f-11ea-b800-0620049edbec:1-5",
      "8ef7bd9b-bb5b-11e8-9c37-0242ac110004:13", "5", "7780", "30", "1")],
)


def test_group_replication_member_stats_mysql8():
    parsed = scrape(ReplicationGroupMemberStats(), RecordedDB({"replication_group_member_stats":
                                                                 GROUP_MEMBER_STATS_MYSQL8}))
    expected = {"mysql_perf_schema_transactions_in_queue": ("gauge", 2.0),
                "mysql_perf_schema_transactions_checked": ("counter", 7810.0),
                "mysql_perf_schema_conflicts_detected": ("counter", 3.0),
                "mysql_perf_schema_transactions_rows_validating": ("counter", 12.0),
                "mysql_perf_schema_transactions_remote_in_applier_queue": ("gauge", 5.0),
                "mysql_perf_schema_transactions_remote_applied": ("counter", 7780.0),
                "mysql_perf_schema_transactions_local_proposed": ("counter", 30.0),
                "mysql_perf_schema_transactions_local_rollback": ("counter", 1.0)}
    assert {name: (entry["type"], *entry["samples"].values()) for name, entry in parsed.items()} == expected


def test_group_replication_member_stats_mysql57_has_the_first_four_columns():
    columns, rows = GROUP_MEMBER_STATS_MYSQL8
    parsed = scrape(ReplicationGroupMemberStats(), RecordedDB({"replication_group_member_stats": (
        columns[:9], [rows[0][:9]])}))
    assert sorted(parsed) == ["mysql_perf_schema_conflicts_detected", "mysql_perf_schema_transactions_checked",
                              "mysql_perf_schema_transactions_in_queue",
                              "mysql_perf_schema_transactions_rows_validating"]


def test_group_replication_members_every_column_is_a_label():
    columns = ["CHANNEL_NAME", "MEMBER_ID", "MEMBER_HOST", "MEMBER_PORT", "MEMBER_STATE", "MEMBER_ROLE",
               "MEMBER_VERSION"]
    rows = [("group_replication_applier", "uuid-1", "db-1", "3306", "ONLINE", "PRIMARY", "8.0.30"),
            ("group_replication_applier", "uuid-2", "db-2", "3306", "RECOVERING", "SECONDARY", "8.0.30")]
    parsed = scrape(ReplicationGroupMembers(), RecordedDB({"replication_group_members": (columns, rows)}))
    entry = parsed["mysql_perf_schema_replication_group_member_info"]
    assert entry["type"] == "gauge"
    assert entry["label_keys"] == {frozenset(c.lower() for c in columns)}
    assert sample(parsed, "mysql_perf_schema_replication_group_member_info", channel_name="group_replication_applier",
                  member_id="uuid-2", member_host="db-2", member_port="3306", member_state="RECOVERING",
                  member_role="SECONDARY", member_version="8.0.30") == 1.0


def test_applier_status_by_worker_timestamps_and_the_zero_date():
    columns = ["CHANNEL_NAME", "WORKER_ID"] + [f"C{i}" for i in range(7)]
    rows = [("", "1", "2019-11-13 09:38:11.113468", "2019-11-13 09:38:11.113468", "2019-11-13 09:38:11.117012",
             "2019-11-13 09:38:11.124533", "0000-00-00 00:00:00.000000", "0000-00-00 00:00:00.000000",
             "0000-00-00 00:00:00.000000")]
    parsed = scrape(ReplicationApplierStatusByWorker(), RecordedDB({"replication_applier_status_by_worker":
                                                                      (columns, rows)}))
    assert len(parsed) == 7 and all(e["label_keys"] == {frozenset({"channel_name", "member_id"})}
                                    for e in parsed.values())
    name = "mysql_perf_schema_last_applied_transaction_end_apply_timestamp_seconds"
    assert sample(parsed, name, channel_name="", member_id="1") == pytest.approx(1573637891.124533)
    assert sample(parsed, "mysql_perf_schema_applying_transaction_start_apply_timestamp_seconds", channel_name="",
                  member_id="1") == 0.0


def test_tokudb_status_names_as_mysqld_exporter_sanitises_them():
    rows = [("TokuDB", "indexer: number of calls to indexer->build() succeeded", "0"),
            ("TokuDB", "ft: promotion: stopped anyway, after locking the child", "45316247"),
            ("TokuDB", "memory: mallocator version", "3.3.1-0-g9ef9d9e8c271cdf14f664b871a8f98c827714784"),
            ("TokuDB", "filesystem: most recent disk full", "Thu Jan  1 00:00:00 1970"),
            ("TokuDB", "locktree: time spent ending the STO early (seconds)", "9115.904484"),
            ("TokuDB", "cachetable: size current", "2.59E+10")]
    parsed = scrape(EngineTokudbStatus(), RecordedDB({"TOKUDB": (["Type", "Name", "Status"], rows)}))
    assert parsed == {
        "mysql_engine_tokudb_indexer_number_of_calls_to_indexer_build_succeeded": {
            "type": "unknown", "label_keys": {frozenset()},
            "samples": {("mysql_engine_tokudb_indexer_number_of_calls_to_indexer_build_succeeded", ()): 0.0}},
        "mysql_engine_tokudb_ft_promotion_stopped_anyway_after_locking_the_child": {
            "type": "unknown", "label_keys": {frozenset()},
            "samples": {("mysql_engine_tokudb_ft_promotion_stopped_anyway_after_locking_the_child", ()): 45316247.0}},
        "mysql_engine_tokudb_locktree_time_spent_ending_the_sto_early_seconds": {
            "type": "unknown", "label_keys": {frozenset()},
            "samples": {("mysql_engine_tokudb_locktree_time_spent_ending_the_sto_early_seconds", ()): 9115.904484}},
        "mysql_engine_tokudb_cachetable_size_current": {
            "type": "unknown", "label_keys": {frozenset()},
            "samples": {("mysql_engine_tokudb_cachetable_size_current", ()): 2.59e10}},
    }


def test_aurora_replica_host_status_units():
    columns = ["SERVER_ID", "ROLE", "CPU", "MASTER_SLAVE_LATENCY_IN_MICROSECONDS", "REPLICA_LAG_IN_MILLISECONDS",
               "LOG_STREAM_SPEED_IN_KiB_PER_SECOND", "CURRENT_REPLAY_LATENCY_IN_MICROSECONDS"]
    rows = [("dbtools-cluster-us-west-2c", "reader", "1.2531328201293945", "250000", "20.069000244140625",
             "2.0368164549078225", "500000"),
            ("dbtools-cluster-writer", "writer", "1.9607843160629272", "250000", "0", "2.0368164549078225", "0")]
    parsed = scrape(ReplicaHost(), RecordedDB({"replica_host_status": (columns, rows)}))
    reader = {"server_id": "dbtools-cluster-us-west-2c", "role": "reader"}
    assert sample(parsed, "mysql_info_schema_replica_host_cpu_percent", **reader) == pytest.approx(1.2531328201293945)
    assert sample(parsed, "mysql_info_schema_replica_host_replica_latency_seconds", **reader) == pytest.approx(0.25)
    assert sample(parsed, "mysql_info_schema_replica_host_lag_seconds", **reader) == pytest.approx(0.020069000244)
    assert sample(parsed, "mysql_info_schema_replica_host_log_stream_speed", **reader) == pytest.approx(2.0368164549)
    assert sample(parsed, "mysql_info_schema_replica_host_replay_latency_seconds", **reader) == pytest.approx(0.5)
    assert len(parsed["mysql_info_schema_replica_host_cpu_percent"]["samples"]) == 2


def test_replica_host_without_aurora_is_no_error():
    db = RecordedDB({"replica_host_status": mysql.connector.errors.ProgrammingError(
        msg="Unknown table 'replica_host_status' in information_schema", errno=1109)})
    assert list(ReplicaHost().scrape(db)) == []


def test_replica_host_other_errors_count():
    db = RecordedDB({"replica_host_status": mysql.connector.errors.ProgrammingError(msg="denied", errno=1142)})
    with pytest.raises(mysql.connector.Error):
        list(ReplicaHost().scrape(db))  # a generator: the query runs when iterated


def test_innodb_tablespaces_mysql57_shape():
    db = RecordedDB({
        "TABLE_NAME IN": (["TABLE_NAME"], [("INNODB_SYS_TABLESPACES",)]),
        "information_schema.columns": (["COLUMN_NAME"], [(c,) for c in (
            "SPACE", "NAME", "FLAG", "FILE_FORMAT", "ROW_FORMAT", "PAGE_SIZE", "ZIP_PAGE_SIZE", "SPACE_TYPE",
            "FS_BLOCK_SIZE", "FILE_SIZE", "ALLOCATED_SIZE")]),
        "FROM information_schema.innodb_sys_tablespaces": (
            ["SPACE", "NAME", "FILE_FORMAT", "ROW_FORMAT", "SPACE_TYPE", "FILE_SIZE", "ALLOCATED_SIZE"],
            [("1", "sys/sys_config", "Barracuda", "Dynamic", "Single", "100", "100"),
             ("2", "db/compressed", "Barracuda", "Compressed", "Single", "300", "200")]),
    })
    parsed = scrape(InnodbTablespaces(), db)
    assert "IFNULL(SPACE_TYPE, 'NONE')" in db.queries[-1]
    assert sample(parsed, "mysql_info_schema_innodb_tablespace_space_info", tablespace_name="db/compressed",
                  file_format="Barracuda", row_format="Compressed", space_type="Single") == 2.0
    assert sample(parsed, "mysql_info_schema_innodb_tablespace_file_size_bytes", tablespace_name="db/compressed") == 300
    assert sample(parsed, "mysql_info_schema_innodb_tablespace_allocated_size_bytes",
                  tablespace_name="db/compressed") == 200


@pytest.mark.parametrize(("columns", "row", "master_id", "slave_uuid"), [
    (["Server_id", "Host", "Port", "Master_id", "Slave_UUID"],
     ("192168010", "iconnect2", "3306", "192168011", "14cb6624-7f93-11e0-b2c0-c80aa9429562"), "192168011",
     "14cb6624-7f93-11e0-b2c0-c80aa9429562"),
    (["Server_id", "Host", "Port", "Rpl_recovery_rank", "Master_id"],
     ("192168010", "iconnect2", "3306", "0", "192168011"), "192168011", ""),
    (["Server_id", "Host", "Port", "Master_id"], ("192168010", "iconnect2", "3306", "192168011"), "192168011", ""),
])
def test_slave_hosts_shapes(columns, row, master_id, slave_uuid):
    parsed = scrape(SlaveHosts(), RecordedDB({"SHOW SLAVE HOSTS": (columns, [row])}))
    assert sample(parsed, "mysql_heartbeat_mysql_slave_hosts_info", server_id="192168010", slave_host="iconnect2",
                  port="3306", master_id=master_id, slave_uuid=slave_uuid) == 1.0


def test_innodb_status_lines():
    status = ("-----\nROW OPERATIONS\n--------------\n2 queries inside InnoDB, 3 queries in queue\n"
              "5 read views open inside InnoDB\n")
    parsed = scrape(EngineInnodbStatus(), RecordedDB({"INNODB STATUS": (["Type", "Name", "Status"],
                                                                          [("InnoDB", "", status)])}))
    assert {name: e["samples"][(name, ())] for name, e in parsed.items()} == {
        "mysql_engine_innodb_queries_inside_innodb": 2.0, "mysql_engine_innodb_queries_in_queue": 3.0,
        "mysql_engine_innodb_read_views_open_inside_innodb": 5.0}


def test_bare_named_counters_keep_their_name_in_the_text_format():
    row = tuple(str(i) for i in range(21))
    parsed = scrape(EventsStatementsSum(), RecordedDB({"events_statements_summary_by_digest": ([], [row])}))
    # Read back, a counter served as `x` is the family `x` with samples `x_total` (prometheus_client's model).
    assert parsed["mysql_perf_schema_events_statements_sum_errors"]["type"] == "counter"
    assert parsed["mysql_perf_schema_events_statements_sum"]["samples"] == {
        ("mysql_perf_schema_events_statements_sum_total", ()): 0.0}
    text = render(EventsStatementsSum().scrape(RecordedDB({"events_statements_summary_by_digest": ([], [row])})),
                  "")[1].decode()
    assert "# TYPE mysql_perf_schema_events_statements_sum_errors counter\n" in text
    assert "\nmysql_perf_schema_events_statements_sum_errors 3\n" in text


def test_userstats_unknown_columns_are_untyped():
    db = RecordedDB({"userstat": (["Variable_name", "Value"], [("userstat", "ON")]),
                     "user_statistics": (["USER", "TOTAL_CONNECTIONS", "NEW_COLUMN"], [("app", "7", "1.5")])})
    parsed = scrape(UserStats(), db)
    assert parsed["mysql_info_schema_user_statistics_total_connections"]["type"] == "counter"
    assert parsed["mysql_info_schema_user_statistics_new_column"]["type"] == "unknown"
    assert sample(parsed, "mysql_info_schema_user_statistics_new_column", user="app") == 1.5


def test_userstats_off_is_nothing():
    db = RecordedDB({"userstat": (["Variable_name", "Value"], [("userstat", "OFF")])})
    assert list(UserStats().scrape(db)) == []


def test_mysql_user_privileges_only_with_the_flag():
    columns = ["user", "host", "Select_priv", "Insert_priv", "max_questions", "max_updates", "max_connections",
               "max_user_connections"]
    rows = [("app", "%", "Y", "N", "0", "0", "10", "5")]
    db = RecordedDB({"mysql.user": (columns, rows)})
    with_flag = scrape(MysqlUser({"mysql_user_privileges": True}), db)
    assert sample(with_flag, "mysql_mysql_select_priv", mysql_user="app", hostmask="%") == 1.0
    assert sample(with_flag, "mysql_mysql_insert_priv", mysql_user="app", hostmask="%") == 0.0
    assert sample(with_flag, "mysql_mysql_max_connections", mysql_user="app", hostmask="%") == 10.0
    without = scrape(MysqlUser({}), db)
    assert "mysql_mysql_select_priv" not in without
    assert sample(without, "mysql_mysql_max_user_connections", mysql_user="app", hostmask="%") == 5.0


def test_heartbeat_flags_shape_the_query():
    from mysql_exporter.scrapers.heartbeat import Heartbeat

    default = Heartbeat({})
    assert default.query == "SELECT UNIX_TIMESTAMP(ts), UNIX_TIMESTAMP(NOW(6)), server_id FROM `heartbeat`.`heartbeat`"
    utc = Heartbeat({"heartbeat_database": "ops", "heartbeat_table": "beats", "heartbeat_utc": True})
    assert utc.query == "SELECT UNIX_TIMESTAMP(ts), UNIX_TIMESTAMP(UTC_TIMESTAMP(6)), server_id FROM `ops`.`beats`"
    parsed = scrape(utc, RecordedDB({"`ops`.`beats`": ([], [("1700000000.123456", "1700000002.5", "7")])}))
    assert sample(parsed, "mysql_heartbeat_stored_timestamp_seconds", server_id="7") == 1700000000.123456
    assert sample(parsed, "mysql_heartbeat_now_timestamp_seconds", server_id="7") == 1700000002.5


def test_file_instances_filter_is_a_parameter_and_the_prefix_is_removed():
    from mysql_exporter.scrapers.perf_schema_file_instances import FileInstances

    class ParamsDB(RecordedDB):
        def query(self, sql: str, params: tuple | None = None):
            self.params = params
            return super().query(sql, params)

    db = ParamsDB({"file_summary_by_instance": ([], [
        ("/data/mysql/shop/orders.ibd", "wait/io/file/innodb/innodb_data_file", "3", "4", "300", "400"),
        ("/elsewhere/ib_logfile0", "wait/io/file/innodb/innodb_log_file", "1", "2", "10", "20")])})
    scraper = FileInstances({"file_instances_filter": r"\.ibd$|logfile",
                             "file_instances_remove_prefix": "/data/mysql/"})
    parsed = scrape(scraper, db)
    assert db.params == (r"\.ibd$|logfile",)
    assert sample(parsed, "mysql_perf_schema_file_instances", "mysql_perf_schema_file_instances_total",
                  file_name="shop/orders.ibd", event_name="wait/io/file/innodb/innodb_data_file", mode="write") == 4
    assert sample(parsed, "mysql_perf_schema_file_instances_bytes", "mysql_perf_schema_file_instances_bytes_total",
                  file_name="/elsewhere/ib_logfile0", event_name="wait/io/file/innodb/innodb_log_file",
                  mode="read") == 10


def test_memory_events_prefix_is_removed():
    from mysql_exporter.scrapers.perf_schema_memory_events import MemoryEvents

    db = RecordedDB({"memory_summary_global_by_event_name": ([], [("memory/sql/THD::main_mem_root", "100", "40", "60"),
                                                                   ("other/x", "1", "0", "1")])})
    parsed = scrape(MemoryEvents({"memory_events_remove_prefix": "memory/"}), db)
    assert sample(parsed, "mysql_perf_schema_memory_events_used_bytes", event_name="sql/THD::main_mem_root") == 60
    assert sample(parsed, "mysql_perf_schema_memory_events_alloc_bytes",
                  "mysql_perf_schema_memory_events_alloc_bytes_total", event_name="other/x") == 1
