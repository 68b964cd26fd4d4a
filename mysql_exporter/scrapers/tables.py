"""information_schema.tables: rows, sizes and versions of the tables of the selected schemas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

SCHEMAS_QUERY = ("SELECT SCHEMA_NAME FROM information_schema.schemata "
                 "WHERE SCHEMA_NAME NOT IN ('mysql', 'performance_schema', 'information_schema')")
TABLES_QUERY = ("SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, IFNULL(ENGINE, 'NONE'), IFNULL(VERSION, '0'), "
                "IFNULL(ROW_FORMAT, 'NONE'), IFNULL(TABLE_ROWS, '0'), IFNULL(DATA_LENGTH, '0'), "
                "IFNULL(INDEX_LENGTH, '0'), IFNULL(DATA_FREE, '0'), IFNULL(CREATE_OPTIONS, 'NONE') "
                "FROM information_schema.tables WHERE TABLE_SCHEMA = %s")


@register
class Tables(Scraper):
    name = "info_schema.tables"
    enabled_by_default = False
    help = "Collect metrics from information_schema.tables"
    DATABASES = Option("--collect.info_schema.tables.databases", "tables_databases", "*",
                              help="The list of databases to collect table stats for, or '*' for all")

    min_version = 5.1

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.databases = self.DATABASES.read(options)

    def _schemas(self, db: DB) -> list[str]:
        if self.databases == "*":
            return [row[0] for row in db.query(SCHEMAS_QUERY)[1]]
        return [name.strip() for name in self.databases.split(",") if name.strip()]

    def scrape(self, db: DB):
        version = gauge("mysql_info_schema_table_version", "The version number of the table's .frm file",
                        ["schema", "table", "type", "engine", "row_format", "create_options"])
        rows_family = gauge("mysql_info_schema_table_rows",
                            "The estimated number of rows in the table from information_schema.tables",
                            ["schema", "table"])
        size = gauge("mysql_info_schema_table_size", "The size of the table components from information_schema.tables",
                     ["schema", "table", "component"])
        for schema in self._schemas(db):
            cursor = db.conn.cursor(raw=True)
            try:
                cursor.execute(TABLES_QUERY, (schema,))
                rows = cursor.fetchall()
            finally:
                cursor.close()
            for row in rows:
                (schema_name, table, kind, engine, table_version, row_format, table_rows, data_length, index_length,
                 data_free, create_options) = (value.decode("utf-8", "replace") for value in row)
                version.add_metric([schema_name, table, kind, engine, row_format, create_options],
                                   float(table_version))
                rows_family.add_metric([schema_name, table], float(table_rows))
                size.add_metric([schema_name, table, "data_length"], float(data_length))
                size.add_metric([schema_name, table, "index_length"], float(index_length))
                size.add_metric([schema_name, table, "data_free"], float(data_free))
        yield version
        yield rows_family
        yield size
