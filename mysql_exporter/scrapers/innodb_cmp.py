"""information_schema.innodb_cmp: compression operations per page size."""

from __future__ import annotations

from exporter_toolkit.families import counter
from mysql_exporter.db import DB
from mysql_exporter.scraper import Scraper, register

QUERY = ("SELECT page_size, compress_ops, compress_ops_ok, compress_time, uncompress_ops, uncompress_time "
         "FROM information_schema.innodb_cmp")
# (metric, HELP) in the order of the query's value columns.
COLUMNS = (
    ("mysql_info_schema_innodb_cmp_compress_ops_total",
     "Number of times a B-tree page of the size PAGE_SIZE has been compressed."),
    ("mysql_info_schema_innodb_cmp_compress_ops_ok_total",
     "Number of times a B-tree page of the size PAGE_SIZE has been successfully compressed."),
    ("mysql_info_schema_innodb_cmp_compress_time_seconds_total",
     "Total time in seconds spent in attempts to compress B-tree pages."),
    ("mysql_info_schema_innodb_cmp_uncompress_ops_total",
     "Number of times a B-tree page of the size PAGE_SIZE has been uncompressed."),
    ("mysql_info_schema_innodb_cmp_uncompress_time_seconds_total",
     "Total time in seconds spent in uncompressing B-tree pages."),
)


@register
class InnodbCmp(Scraper):
    name = "info_schema.innodb_cmp"
    help = "Collect metrics from information_schema.innodb_cmp"
    min_version = 5.5

    def scrape(self, db: DB):
        _, rows = db.query(QUERY)
        families = [counter(name, help_text, ["page_size"]) for name, help_text in COLUMNS]
        for page_size, *values in rows:
            for family, value in zip(families, values, strict=True):
                family.add_metric([page_size], float(value))
        yield from families
