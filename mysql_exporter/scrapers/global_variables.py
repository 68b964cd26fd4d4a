"""SHOW GLOBAL VARIABLES: every numeric variable as a gauge, plus the version, Galera and isolation info
families mysqld_exporter derives from the text ones."""

from __future__ import annotations

import re

from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.parse import metric_name, parse_status
from mysql_exporter.scraper import Scraper, register

TEXT_ITEMS = ("innodb_version", "version", "version_comment", "wsrep_cluster_name", "wsrep_provider_options",
              "tx_isolation", "transaction_isolation")
_GCACHE = re.compile(r"gcache\.size = (\d+)([MG]?);")


def gcache_size_bytes(provider_options: str) -> float:
    match = _GCACHE.search(provider_options)
    if not match:
        return 0.0
    return float(int(match.group(1)) * {"": 1, "M": 1024**2, "G": 1024**3}[match.group(2)])


@register
class GlobalVariables(Scraper):
    name = "global_variables"
    help = "Collect from SHOW GLOBAL VARIABLES"
    min_version = 5.1

    def scrape(self, db: DB):
        rows = db.name_values("SHOW GLOBAL VARIABLES", "GLOBAL_VARIABLES")
        text = dict.fromkeys(TEXT_ITEMS, "")
        for name, raw in rows:
            key = metric_name(name)
            value = parse_status(raw)
            if value is not None:  # the names come from the data: the server's variables
                yield gauge(f"mysql_global_variables_{key}", "Generic gauge metric from SHOW GLOBAL VARIABLES.",
                            value=value)
            elif key in text:
                text[key] = raw or ""
        version = gauge("mysql_version_info", "MySQL version and distribution.",
                        ["innodb_version", "version", "version_comment"])
        version.add_metric([text["innodb_version"], text["version"], text["version_comment"]], 1.0)
        yield version
        if text["wsrep_cluster_name"]:
            galera = gauge("mysql_galera_variables_info", "PXC/Galera variables information.", ["wsrep_cluster_name"])
            galera.add_metric([text["wsrep_cluster_name"]], 1.0)
            yield galera
        if text["wsrep_provider_options"]:
            yield gauge("mysql_galera_gcache_size_bytes", "PXC/Galera gcache size.",
                        value=gcache_size_bytes(text["wsrep_provider_options"]))
        level = text["transaction_isolation"] or text["tx_isolation"]
        if level:
            isolation = gauge("mysql_transaction_isolation", "MySQL transaction isolation.", ["level"])
            isolation.add_metric([level], 1.0)
            yield isolation
