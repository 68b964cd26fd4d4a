"""information_schema.innodb_cmpmem: the compressed-page buddy allocator per page size and buffer pool."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = ("SELECT page_size, buffer_pool_instance, pages_used, pages_free, relocation_ops, relocation_time "
         "FROM information_schema.innodb_cmpmem")
# (metric, HELP, scale) in the order of the query's value columns.
COLUMNS = (
    ("mysql_info_schema_innodb_cmpmem_pages_used_total",
     "Number of blocks of the size PAGE_SIZE that are currently in use.", 1.0),
    ("mysql_info_schema_innodb_cmpmem_pages_free_total",
     "Number of blocks of the size PAGE_SIZE that are currently available for allocation.", 1.0),
    ("mysql_info_schema_innodb_cmpmem_relocation_ops_total",
     "Number of times a block of the size PAGE_SIZE has been relocated.", 1.0),
    # The server's column is documented in microseconds; mysqld_exporter divides it by 1000, and so do we.
    ("mysql_info_schema_innodb_cmpmem_relocation_time_seconds_total",
     "Total time in seconds spent in relocating blocks.", 0.001),
)


@register
class InnodbCmpMem(Scraper):
    name = "info_schema.innodb_cmpmem"
    help = "Collect metrics from information_schema.innodb_cmpmem"
    min_version = 5.5

    def scrape(self, db: DB):
        _, rows = db.query(QUERY)
        families = [(counter(name, help_text, ["page_size", "buffer_pool"]), scale)
                    for name, help_text, scale in COLUMNS]
        for page_size, buffer_pool, *values in rows:
            for (family, scale), value in zip(families, values, strict=True):
                family.add_metric([page_size, buffer_pool], float(value) * scale)
        for family, _ in families:
            yield family
