"""information_schema.user_statistics (Percona / MariaDB with userstat=1): activity per user."""

# ruff: noqa: RUF001 - the HELP texts keep mysqld_exporter's typographic apostrophes byte for byte

from __future__ import annotations

from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register
from mysql_exporter.scrapers._statistics import Columns, counter, gauge, raw_counter, scrape_statistics
from mysql_exporter.scrapers._userstat import userstat_enabled

QUERY = "SELECT * FROM information_schema.user_statistics"
COLUMNS: Columns = {
    "TOTAL_CONNECTIONS": (raw_counter, "mysql_info_schema_user_statistics_total_connections",
                          "The number of connections created for this user."),
    "CONCURRENT_CONNECTIONS": (gauge, "mysql_info_schema_user_statistics_concurrent_connections",
                               "The number of concurrent connections for this user."),
    "CONNECTED_TIME": (counter, "mysql_info_schema_user_statistics_connected_time_seconds_total",
                       "The cumulative number of seconds elapsed while there were connections from this user."),
    "BUSY_TIME": (counter, "mysql_info_schema_user_statistics_busy_seconds_total",
                  "The cumulative number of seconds there was activity on connections from this user."),
    "CPU_TIME": (counter, "mysql_info_schema_user_statistics_cpu_time_seconds_total",
                 "The cumulative CPU time elapsed, in seconds, while servicing this user's connections."),
    "BYTES_RECEIVED": (counter, "mysql_info_schema_user_statistics_bytes_received_total",
                       "The number of bytes received from this user’s connections."),
    "BYTES_SENT": (counter, "mysql_info_schema_user_statistics_bytes_sent_total",
                   "The number of bytes sent to this user’s connections."),
    "BINLOG_BYTES_WRITTEN": (counter, "mysql_info_schema_user_statistics_binlog_bytes_written_total",
                             "The number of bytes written to the binary log from this user’s connections."),
    "ROWS_READ": (counter, "mysql_info_schema_user_statistics_rows_read_total",
                  "The number of rows read by this user's connections."),
    "ROWS_SENT": (counter, "mysql_info_schema_user_statistics_rows_sent_total",
                  "The number of rows sent by this user's connections."),
    "ROWS_DELETED": (counter, "mysql_info_schema_user_statistics_rows_deleted_total",
                     "The number of rows deleted by this user's connections."),
    "ROWS_INSERTED": (counter, "mysql_info_schema_user_statistics_rows_inserted_total",
                      "The number of rows inserted by this user's connections."),
    "ROWS_FETCHED": (counter, "mysql_info_schema_user_statistics_rows_fetched_total",
                     "The number of rows fetched by this user’s connections."),
    "ROWS_UPDATED": (counter, "mysql_info_schema_user_statistics_rows_updated_total",
                     "The number of rows updated by this user’s connections."),
    "TABLE_ROWS_READ": (counter, "mysql_info_schema_user_statistics_table_rows_read_total",
                        "The number of rows read from tables by this user’s connections. "
                        "(It may be different from ROWS_FETCHED.)"),
    "SELECT_COMMANDS": (counter, "mysql_info_schema_user_statistics_select_commands_total",
                        "The number of SELECT commands executed from this user’s connections."),
    "UPDATE_COMMANDS": (counter, "mysql_info_schema_user_statistics_update_commands_total",
                        "The number of UPDATE commands executed from this user’s connections."),
    "OTHER_COMMANDS": (counter, "mysql_info_schema_user_statistics_other_commands_total",
                       "The number of other commands executed from this user’s connections."),
    "COMMIT_TRANSACTIONS": (counter, "mysql_info_schema_user_statistics_commit_transactions_total",
                            "The number of COMMIT commands issued by this user’s connections."),
    "ROLLBACK_TRANSACTIONS": (counter, "mysql_info_schema_user_statistics_rollback_transactions_total",
                              "The number of ROLLBACK commands issued by this user’s connections."),
    "DENIED_CONNECTIONS": (counter, "mysql_info_schema_user_statistics_denied_connections_total",
                           "The number of connections denied to this user."),
    "LOST_CONNECTIONS": (counter, "mysql_info_schema_user_statistics_lost_connections_total",
                         "The number of this user’s connections that were terminated uncleanly."),
    "ACCESS_DENIED": (counter, "mysql_info_schema_user_statistics_access_denied_total",
                      "The number of times this user’s connections issued commands that were denied."),
    "EMPTY_QUERIES": (counter, "mysql_info_schema_user_statistics_empty_queries_total",
                      "The number of times this user’s connections sent empty queries to the server."),
    "TOTAL_SSL_CONNECTIONS": (counter, "mysql_info_schema_user_statistics_total_ssl_connections_total",
                              "The number of times this user’s connections connected using SSL to the server."),
}


@register
class UserStats(Scraper):
    name = "info_schema.userstats"
    enabled_by_default = False
    help = "If running with userstat=1, set to true to collect user statistics"
    min_version = 5.1

    def scrape(self, db: DB):
        if not userstat_enabled(db):
            return
        yield from scrape_statistics(db, QUERY, "user", COLUMNS, "mysql_info_schema_user_statistics_")
