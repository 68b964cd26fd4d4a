"""mysql.user: each account's resource limits and, with --collect.mysql.user.privileges, its global
privileges as 0/1 gauges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

# Column -> family: mysqld_exporter names each after the column, lower-cased; HELP is "<Column> by user."
PRIVILEGES = {
    "Select_priv": "mysql_mysql_select_priv",
    "Insert_priv": "mysql_mysql_insert_priv",
    "Update_priv": "mysql_mysql_update_priv",
    "Delete_priv": "mysql_mysql_delete_priv",
    "Create_priv": "mysql_mysql_create_priv",
    "Drop_priv": "mysql_mysql_drop_priv",
    "Reload_priv": "mysql_mysql_reload_priv",
    "Shutdown_priv": "mysql_mysql_shutdown_priv",
    "Process_priv": "mysql_mysql_process_priv",
    "File_priv": "mysql_mysql_file_priv",
    "Grant_priv": "mysql_mysql_grant_priv",
    "References_priv": "mysql_mysql_references_priv",
    "Index_priv": "mysql_mysql_index_priv",
    "Alter_priv": "mysql_mysql_alter_priv",
    "Show_db_priv": "mysql_mysql_show_db_priv",
    "Super_priv": "mysql_mysql_super_priv",
    "Create_tmp_table_priv": "mysql_mysql_create_tmp_table_priv",
    "Lock_tables_priv": "mysql_mysql_lock_tables_priv",
    "Execute_priv": "mysql_mysql_execute_priv",
    "Repl_slave_priv": "mysql_mysql_repl_slave_priv",
    "Repl_client_priv": "mysql_mysql_repl_client_priv",
    "Create_view_priv": "mysql_mysql_create_view_priv",
    "Show_view_priv": "mysql_mysql_show_view_priv",
    "Create_routine_priv": "mysql_mysql_create_routine_priv",
    "Alter_routine_priv": "mysql_mysql_alter_routine_priv",
    "Create_user_priv": "mysql_mysql_create_user_priv",
    "Event_priv": "mysql_mysql_event_priv",
    "Trigger_priv": "mysql_mysql_trigger_priv",
    "Create_tablespace_priv": "mysql_mysql_create_tablespace_priv",
}
QUERY = (f"SELECT user, host, {', '.join(PRIVILEGES)}, max_questions, max_updates, max_connections, "
         "max_user_connections FROM mysql.user")
PRIVILEGES_LOWER = {column.lower(): name for column, name in PRIVILEGES.items()}
LABELS = ["mysql_user", "hostmask"]
_PRIVILEGE_VALUES = {"Y": 1.0, "N": 0.0}


@register
class MysqlUser(Scraper):
    name = "mysql.user"
    enabled_by_default = False
    help = "Collect data from mysql.user"
    USER_PRIVILEGES = Option("--collect.mysql.user.privileges", "mysql_user_privileges", False,
                                   help="Enable collecting user privileges from mysql.user", is_flag=True)

    min_version = 5.1

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.privileges = bool(self.USER_PRIVILEGES.read(options))

    def scrape(self, db: DB):
        columns, rows = db.query(QUERY)
        families = []
        if self.privileges:
            # Named as the server names the columns (mysql_mysql_select_priv, ...); only Y/N values count.
            privilege_families = {column: gauge(PRIVILEGES.get(column) or PRIVILEGES_LOWER[column.lower()],
                                                f"{column} by user.", LABELS) for column in columns[2:-4]}
            for row in rows:
                key = (row[0], row[1])
                for column, raw in zip(columns[2:-4], row[2:-4], strict=True):
                    value = _PRIVILEGE_VALUES.get(raw or "")
                    if value is not None:
                        privilege_families[column].add_metric(key, value)
            families.extend(family for family in privilege_families.values() if family.rows)
        limits = [
            gauge("mysql_mysql_max_questions", "The number of max_questions by user.", LABELS),
            gauge("mysql_mysql_max_updates", "The number of max_updates by user.", LABELS),
            gauge("mysql_mysql_max_connections", "The number of max_connections by user.", LABELS),
            gauge("mysql_mysql_max_user_connections", "The number of max_user_connections by user.", LABELS),
        ]
        for row in rows:
            key = (row[0], row[1])
            for family, raw in zip(limits, row[-4:], strict=True):
                family.add_metric(key, float(raw or 0))
        if rows:
            families.extend(limits)
        yield from families
