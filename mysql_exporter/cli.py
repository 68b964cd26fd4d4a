"""The mysql-exporter command: mysqld_exporter's flags, credentials from my.cnf or the environment, /metrics
for the configured server and /probe?target=...&auth_module=... for many."""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

import click
from prometheus_client import CollectorRegistry
from prometheus_client.core import Metric

from exporter_toolkit import cli as toolkit_cli
from exporter_toolkit import logs
from exporter_toolkit.errors import ConfigError
from exporter_toolkit.exposition import render_stream
from exporter_toolkit.memory import tune_malloc
from exporter_toolkit.server import Exporter, Hooks, ServerConfig
from exporter_toolkit.telemetry import add_exporter_metrics, build_info
from mysql_exporter import __version__
from mysql_exporter.config import Credentials, resolve, split_address
from mysql_exporter.db import SessionSettings
from mysql_exporter.scraper import SCRAPERS
from mysql_exporter.scrapers import __name__ as _scrapers_loaded  # noqa: F401 - registers the scrapers
from mysql_exporter.target import Target

log = logging.getLogger(__name__)

DEFAULT_MY_CNF = os.path.join(os.path.expanduser("~"), ".my.cnf")
SCRAPE_TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds"
MAX_PROBE_TARGETS = 32  # pools kept for /probe targets; the least recently used one is closed beyond this


def scrape_timeout(headers: Mapping[str, str], offset: float, default: float) -> float:
    """Prometheus says how long it will wait; answer a little sooner (--timeout-offset), as mysqld_exporter."""
    try:
        seconds = float(headers.get(SCRAPE_TIMEOUT_HEADER, ""))
    except ValueError:
        return default
    return max(seconds - offset, 0.1) if seconds > 0 else default


def handed_over(families: list[Metric]) -> Iterator[Metric]:
    """The families in order, each dropped from the list as it is taken: a scrape's rows are freed family by
    family while its text is rendered and sent (render_stream), never all held beside the whole text."""
    families.reverse()
    while families:
        yield families.pop()


class Targets:
    """The default target and a bounded LRU of /probe targets, each with its own small pool."""

    def __init__(self, credentials: Credentials, scrapers: dict[str, Any], settings: SessionSettings,
                 pool_size: int) -> None:
        self.credentials = credentials
        self.scrapers = scrapers
        self.settings = settings
        self.pool_size = pool_size
        self.default = Target(credentials.default, scrapers, settings, pool_size)
        self._probes: OrderedDict[tuple[str, str], Target] = OrderedDict()
        self._lock = threading.Lock()

    def probe(self, target: str, module: str) -> Target:
        key = (target, module)
        with self._lock:
            if key in self._probes:
                self._probes.move_to_end(key)
                return self._probes[key]
            client = self.credentials.module(module).with_target(target)
            probe = self._probes[key] = Target(client, self.scrapers, self.settings, min(self.pool_size, 2))
            if len(self._probes) > MAX_PROBE_TARGETS:
                _, oldest = self._probes.popitem(last=False)
                oldest.close()
            return probe


def _options(func):
    options = [
        click.option("--config.my-cnf", "my_cnf", default=None,
                     help=f"Path to .my.cnf file to read MySQL credentials from.  [default: {DEFAULT_MY_CNF}]"),
        click.option("--mysqld.address", "address", default=None,
                     help="Address of the MySQL server (host:port); overrides host/port of the my.cnf file."),
        click.option("--mysqld.username", "username", default=None,
                     help="MySQL user; the password comes from the MYSQLD_EXPORTER_PASSWORD environment variable "
                          "or the my.cnf file, never from a flag."),
        click.option("--exporter.lock_wait_timeout", "lock_wait_timeout", type=click.IntRange(min=1), default=2,
                     show_default=True, help="Set a lock_wait_timeout (in seconds) on the connection to avoid long "
                                             "metadata locking."),
        click.option("--exporter.log_slow_filter", "log_slow_filter", is_flag=True,
                     help="Add a log_slow_filter to avoid slow query logging of scrapes (MariaDB, Percona)."),
        click.option("--exporter.max-connections", "max_connections", type=click.IntRange(1, 10), default=2,
                     show_default=True, help="Connections kept open to the server: concurrent scrapes share them, "
                     "and a slow scrape uses a second one when it is free."),
        click.option("--exporter.timeout", "default_timeout", type=click.FloatRange(min=0.1), default=10.0,
                     show_default=True, help="Scrape timeout in seconds when Prometheus sends none."),
        click.option("--timeout-offset", "timeout_offset", type=float, default=0.25, show_default=True,
                     help="Offset to subtract from timeout in seconds."),
        click.option("--tls.insecure-skip-verify", "tls_insecure_skip_verify", is_flag=True,
                     help="Ignore certificate and server verification when using a tls connection."),
        *SCRAPERS.click_options(),
    ]
    for option in reversed(options):
        func = option(func)
    return toolkit_cli.web_options(":9104")(func)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@_options
@click.version_option(__version__, "--version", prog_name="mysqld_exporter")
def command(**options: Any) -> None:
    """Prometheus exporter for MySQL and MariaDB server metrics."""
    logs.setup(options["log_level"], options["log_format"])
    if options["address"]:
        split_address(options["address"])  # a malformed address is a usage error
    credentials = resolve(options["my_cnf"] or DEFAULT_MY_CNF, options["my_cnf"] is not None, options["address"],
                          options["username"])
    settings = SessionSettings(timeout=options["default_timeout"], lock_wait_timeout=options["lock_wait_timeout"],
                               log_slow_filter=options["log_slow_filter"],
                               tls_insecure_skip_verify=options["tls_insecure_skip_verify"])
    enabled = SCRAPERS.enabled(options)
    scrapers = {name: SCRAPERS.build(name, options) for name in enabled}
    targets = Targets(credentials, scrapers, settings, options["max_connections"])

    own = CollectorRegistry(auto_describe=False)
    hooks = Hooks()
    if not options["disable_exporter_metrics"]:
        build_info(own, "mysqld_exporter", __version__)
        hooks = add_exporter_metrics(own)

    def metrics(headers: Mapping[str, str], _query) -> tuple[str, Iterator[bytes]]:
        timeout = scrape_timeout(headers, options["timeout_offset"], settings.timeout)
        families = targets.default.collect(timeout)
        families.extend(own.collect())
        return render_stream(handed_over(families), headers.get("Accept", ""))

    def probe(headers: Mapping[str, str], query: dict[str, list[str]]) -> tuple[int, str, bytes | Iterator[bytes]]:
        target = (query.get("target") or [""])[0]
        module = (query.get("auth_module") or ["client"])[0]
        if not target:
            return 400, "text/plain; charset=utf-8", b"target is required\n"
        try:
            probed = targets.probe(target, module)
        except KeyError:
            return 400, "text/plain; charset=utf-8", f"auth_module {module!r} not found in my.cnf\n".encode()
        except ConfigError as exc:
            return 400, "text/plain; charset=utf-8", f"{exc}\n".encode()
        timeout = scrape_timeout(headers, options["timeout_offset"], settings.timeout)
        return (200, *render_stream(handed_over(probed.collect(timeout)), headers.get("Accept", "")))

    server = ServerConfig(name="MySQLd Exporter", description="Prometheus Exporter for MySQL servers (Python)",
                          version=__version__, metrics=metrics, routes={"/probe": probe}, hooks=hooks,
                          listen_addresses=options["listen_addresses"], telemetry_path=options["telemetry_path"],
                          web_config_file=options["web_config_file"], max_requests=options["max_requests"],
                          max_connections=options["web_max_connections"])
    exporter = Exporter(server)  # a bad web config stops us here, exit 2
    exporter.bind_or_exit()  # a port taken or not ours: one line, exit 2
    log.info("Starting mysqld_exporter", extra={"version": __version__, "target": credentials.default.target})
    for name in enabled:
        log.info("Scraper enabled", extra={"scraper": name})
    exporter.serve()


def main(args: list[str] | None = None) -> None:
    tune_malloc()  # one arena, scrape buffers returned to the kernel: see exporter_toolkit/memory.py
    toolkit_cli.run(command, "mysql-exporter", args)
