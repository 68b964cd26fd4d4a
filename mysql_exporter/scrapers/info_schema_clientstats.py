"""information_schema.client_statistics (Percona / MariaDB with userstat=1): activity per client host."""

# ruff: noqa: RUF001 - the HELP texts keep mysqld_exporter's typographic apostrophes byte for byte

from __future__ import annotations

from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register
from mysql_exporter.scrapers._statistics import Columns, counter, gauge, raw_counter, scrape_statistics
from mysql_exporter.scrapers._userstat import userstat_enabled

QUERY = "SELECT * FROM information_schema.client_statistics"
COLUMNS: Columns = {
    "TOTAL_CONNECTIONS": (raw_counter, "mysql_info_schema_client_statistics_total_connections",
                          "The number of connections created for this client."),
    "CONCURRENT_CONNECTIONS": (gauge, "mysql_info_schema_client_statistics_concurrent_connections",
                               "The number of concurrent connections for this client."),
    "CONNECTED_TIME": (counter, "mysql_info_schema_client_statistics_connected_time_seconds_total",
                       "The cumulative number of seconds elapsed while there were connections from this client."),
    "BUSY_TIME": (counter, "mysql_info_schema_client_statistics_busy_seconds_total",
                  "The cumulative number of seconds there was activity on connections from this client."),
    "CPU_TIME": (counter, "mysql_info_schema_client_statistics_cpu_time_seconds_total",
                 "The cumulative CPU time elapsed, in seconds, while servicing this client's connections."),
    "BYTES_RECEIVED": (counter, "mysql_info_schema_client_statistics_bytes_received_total",
                       "The number of bytes received from this client’s connections."),
    "BYTES_SENT": (counter, "mysql_info_schema_client_statistics_bytes_sent_total",
                   "The number of bytes sent to this client’s connections."),
    "BINLOG_BYTES_WRITTEN": (counter, "mysql_info_schema_client_statistics_binlog_bytes_written_total",
                             "The number of bytes written to the binary log from this client’s connections."),
    "ROWS_READ": (counter, "mysql_info_schema_client_statistics_rows_read_total",
                  "The number of rows read by this client’s connections."),
    "ROWS_SENT": (counter, "mysql_info_schema_client_statistics_rows_sent_total",
                  "The number of rows sent by this client’s connections."),
    "ROWS_DELETED": (counter, "mysql_info_schema_client_statistics_rows_deleted_total",
                     "The number of rows deleted by this client’s connections."),
    "ROWS_INSERTED": (counter, "mysql_info_schema_client_statistics_rows_inserted_total",
                      "The number of rows inserted by this client’s connections."),
    "ROWS_FETCHED": (counter, "mysql_info_schema_client_statistics_rows_fetched_total",
                     "The number of rows fetched by this client’s connections."),
    "ROWS_UPDATED": (counter, "mysql_info_schema_client_statistics_rows_updated_total",
                     "The number of rows updated by this client’s connections."),
    "TABLE_ROWS_READ": (counter, "mysql_info_schema_client_statistics_table_rows_read_total",
                        "The number of rows read from tables by this client’s connections. "
                        "(It may be different from ROWS_FETCHED.)"),
    "SELECT_COMMANDS": (counter, "mysql_info_schema_client_statistics_select_commands_total",
                        "The number of SELECT commands executed from this client’s connections."),
    "UPDATE_COMMANDS": (counter, "mysql_info_schema_client_statistics_update_commands_total",
                        "The number of UPDATE commands executed from this client’s connections."),
    "OTHER_COMMANDS": (counter, "mysql_info_schema_client_statistics_other_commands_total",
                       "The number of other commands executed from this client’s connections."),
    "COMMIT_TRANSACTIONS": (counter, "mysql_info_schema_client_statistics_commit_transactions_total",
                            "The number of COMMIT commands issued by this client’s connections."),
    "ROLLBACK_TRANSACTIONS": (counter, "mysql_info_schema_client_statistics_rollback_transactions_total",
                              "The number of ROLLBACK commands issued by this client’s connections."),
    "DENIED_CONNECTIONS": (counter, "mysql_info_schema_client_statistics_denied_connections_total",
                           "The number of connections denied to this client."),
    "LOST_CONNECTIONS": (counter, "mysql_info_schema_client_statistics_lost_connections_total",
                         "The number of this client’s connections that were terminated uncleanly."),
    "ACCESS_DENIED": (counter, "mysql_info_schema_client_statistics_access_denied_total",
                      "The number of times this client’s connections issued commands that were denied."),
    "EMPTY_QUERIES": (counter, "mysql_info_schema_client_statistics_empty_queries_total",
                      "The number of times this client’s connections sent empty queries to the server."),
    "TOTAL_SSL_CONNECTIONS": (counter, "mysql_info_schema_client_statistics_total_ssl_connections_total",
                              "The number of times this client’s connections connected using SSL to the server."),
    "MAX_STATEMENT_TIME_EXCEEDED": (counter, "mysql_info_schema_client_statistics_max_statement_time_exceeded_total",
                                    "The number of times a statement was aborted, because it was executed longer "
                                    "than its MAX_STATEMENT_TIME threshold."),
}


@register
class ClientStats(Scraper):
    name = "info_schema.clientstats"
    enabled_by_default = False
    help = "If running with userstat=1, set to true to collect client statistics"
    min_version = 5.5

    def scrape(self, db: DB):
        if not userstat_enabled(db):
            return
        yield from scrape_statistics(db, QUERY, "client", COLUMNS, "mysql_info_schema_client_statistics_")
