"""information_schema.processlist: threads and their time by command and state, processes by user and host."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from exporter_toolkit.collectors import Option
from exporter_toolkit.families import gauge
from mysql_exporter.db import DB
from mysql_exporter.parse import sanitize_state
from mysql_exporter.scraper import Scraper, register

QUERY = ("SELECT user, SUBSTRING_INDEX(host, ':', 1) AS host, COALESCE(command, '') AS command, "
         "COALESCE(state, '') AS state, COUNT(*) AS processes, COALESCE(SUM(time), 0) AS seconds "
         "FROM information_schema.processlist WHERE ID != connection_id() AND TIME >= {min_time} "
         "GROUP BY user, SUBSTRING_INDEX(host, ':', 1), command, state")


@register
class Processlist(Scraper):
    name = "info_schema.processlist"
    enabled_by_default = False
    help = "Collect current thread state counts from the information_schema.processlist"
    MIN_TIME = Option("--collect.info_schema.processlist.min_time", "processlist_min_time", 0,
                                  help="Minimum time a thread must be in each state to be counted",
                                  type=click.IntRange(min=0))
    BY_USER = Option("--collect.info_schema.processlist.processes_by_user", "processlist_by_user", True,
                                 help="Enable collecting the number of processes by user", is_flag=True)
    BY_HOST = Option("--collect.info_schema.processlist.processes_by_host", "processlist_by_host", True,
                                 help="Enable collecting the number of processes by host", is_flag=True)

    min_version = 5.1

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.min_time = int(self.MIN_TIME.read(options))
        self.by_user = self.BY_USER.read(options)
        self.by_host = self.BY_HOST.read(options)

    def scrape(self, db: DB):
        _, rows = db.query(QUERY.format(min_time=self.min_time))
        threads: dict[tuple[str, str], float] = {}
        seconds: dict[tuple[str, str], float] = {}
        users: dict[str, float] = {}
        hosts: dict[str, float] = {}
        for user, host, command, state, processes, time_spent in rows:
            key = (sanitize_state(command or ""), sanitize_state(state or ""))
            threads[key] = threads.get(key, 0.0) + float(processes)
            seconds[key] = seconds.get(key, 0.0) + float(time_spent)
            users[user or ""] = users.get(user or "", 0.0) + float(processes)
            host = host or "unknown"
            hosts[host] = hosts.get(host, 0.0) + float(processes)
        threads_family = gauge("mysql_info_schema_processlist_threads",
                               "The number of threads split by current state.", ["command", "state"])
        seconds_family = gauge("mysql_info_schema_processlist_seconds",
                               "The number of seconds threads have used split by current state.", ["command", "state"])
        for key in sorted(threads):
            threads_family.add_metric(key, threads[key])
            seconds_family.add_metric(key, seconds[key])
        yield threads_family
        yield seconds_family
        if self.by_host:
            family = gauge("mysql_info_schema_processlist_processes_by_host", "The number of processes by host.",
                           ["client_host"])
            for host in sorted(hosts):
                family.add_metric([host], hosts[host])
            yield family
        if self.by_user:
            family = gauge("mysql_info_schema_processlist_processes_by_user", "The number of processes by user.",
                           ["mysql_user"])
            for user in sorted(users):
                family.add_metric([user], users[user])
            yield family
