"""information_schema.innodb_sys_tablespaces (innodb_tablespaces on MySQL 8): each tablespace's id, formats
and file sizes."""

from __future__ import annotations

from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

TABLE_QUERY = ("SELECT TABLE_NAME FROM information_schema.tables WHERE TABLE_SCHEMA = 'information_schema' "
               "AND TABLE_NAME IN ('INNODB_SYS_TABLESPACES', 'INNODB_TABLESPACES') ORDER BY TABLE_NAME DESC LIMIT 1")
COLUMNS_QUERY = ("SELECT UPPER(COLUMN_NAME) FROM information_schema.columns WHERE TABLE_SCHEMA = 'information_schema' "
                 "AND TABLE_NAME = '{table}'")
QUERY = ("SELECT SPACE, NAME, {file_format}, {row_format}, {space_type}, FILE_SIZE, ALLOCATED_SIZE "
         "FROM information_schema.{table}")
OPTIONAL = ("FILE_FORMAT", "ROW_FORMAT", "SPACE_TYPE")


def tablespaces_query(table: str, columns: set[str]) -> str:
    """The server's table, with 'NONE' for the columns it lacks (MariaDB has no FILE_FORMAT or SPACE_TYPE, where
    mysqld_exporter's fixed query fails and serves nothing)."""
    parts = {name.lower(): f"IFNULL({name}, 'NONE')" if name in columns else "'NONE'" for name in OPTIONAL}
    return QUERY.format(table=table, **parts)


@register
class InnodbTablespaces(Scraper):
    name = "info_schema.innodb_tablespaces"
    enabled_by_default = False
    help = "Collect metrics from information_schema.innodb_sys_tablespaces"
    min_version = 5.7

    def scrape(self, db: DB):
        query = db.cache.get("innodb_tablespaces_query")
        if query is None:  # once per connection (per server)
            table = db.value(TABLE_QUERY) or "INNODB_SYS_TABLESPACES"
            columns = {row[0] for row in db.query(COLUMNS_QUERY.format(table=table))[1]}
            query = db.cache["innodb_tablespaces_query"] = tablespaces_query(table.lower(), columns)
        _, rows = db.query(query)
        info = gauge("mysql_info_schema_innodb_tablespace_space_info", "The Tablespace information and Space ID.",
                     ["tablespace_name", "file_format", "row_format", "space_type"])
        file_size = gauge("mysql_info_schema_innodb_tablespace_file_size_bytes",
                          "The apparent size of the file, which represents the maximum size of the file, "
                          "uncompressed.", ["tablespace_name"])
        allocated = gauge("mysql_info_schema_innodb_tablespace_allocated_size_bytes",
                          "The actual size of the file, which is the amount of space allocated on disk.",
                          ["tablespace_name"])
        for space, name, file_format, row_format, space_type, size, allocated_size in rows:
            info.add_metric((name, file_format, row_format, space_type), float(space))
            file_size.add_metric((name,), float(size or 0))
            allocated.add_metric((name,), float(allocated_size or 0))
        if rows:
            yield from [info, file_size, allocated]
