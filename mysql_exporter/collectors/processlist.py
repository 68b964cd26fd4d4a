"""information_schema.processlist: threads and their time by command and state, processes by user and host."""

from __future__ import annotations

import click

from exporter_toolkit.families import gauge
from mysql_exporter.collector import register
from mysql_exporter.db import DB
from mysql_exporter.parse import sanitize_state

QUERY = ("SELECT user, SUBSTRING_INDEX(host, ':', 1) AS host, COALESCE(command, '') AS command, "
         "COALESCE(state, '') AS state, COUNT(*) AS processes, COALESCE(SUM(time), 0) AS seconds "
         "FROM information_schema.processlist WHERE ID != connection_id() AND TIME >= {min_time} "
         "GROUP BY user, SUBSTRING_INDEX(host, ':', 1), command, state")


@register("info_schema.processlist", default=False,
          help="Collect current thread state counts from the information_schema.processlist", options=[
              click.option("--collect.info_schema.processlist.min_time", "processlist_min_time",
                           type=click.IntRange(min=0), default=0, show_default=True,
                           help="Minimum time a thread must be in each state to be counted"),
              click.option("--collect.info_schema.processlist.processes_by_user/"
                           "--no-collect.info_schema.processlist.processes_by_user", "processlist_by_user",
                           default=True, help="Enable collecting the number of processes by user"),
              click.option("--collect.info_schema.processlist.processes_by_host/"
                           "--no-collect.info_schema.processlist.processes_by_host", "processlist_by_host",
                           default=True, help="Enable collecting the number of processes by host"),
          ])
class Processlist:
    min_version = 5.1

    def __init__(self, options) -> None:
        self.min_time = int(options.get("processlist_min_time", 0))
        self.by_user = options.get("processlist_by_user", True)
        self.by_host = options.get("processlist_by_host", True)

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
