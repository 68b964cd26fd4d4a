"""The node-exporter command: Go node_exporter's flags, the collectors they select, and the HTTP server."""

from __future__ import annotations

import logging
from typing import Any

import click
from prometheus_client import CollectorRegistry

from exporter_toolkit import cli as toolkit_cli
from exporter_toolkit import logs
from exporter_toolkit.exposition import registry_handler
from exporter_toolkit.memory import tune_malloc
from exporter_toolkit.server import Exporter, Hooks, ServerConfig
from exporter_toolkit.telemetry import add_exporter_metrics, build_info
from node_exporter import __version__
from node_exporter.collector import COLLECTORS, Context, NodeCollector
from node_exporter.collectors import __name__ as _collectors_loaded  # noqa: F401 - registers the collectors
from node_exporter.collectors.portable import PORTABLE_FLAG
from node_exporter.paths import Paths

log = logging.getLogger(__name__)


def enabled_collectors(options: dict[str, Any]) -> list[str]:
    """Go semantics: each collector's default, unless --collector.disable-defaults; explicit flags win."""
    return COLLECTORS.enabled(options, bool(options.get("disable_defaults")))


def build_registry(options: dict[str, Any], paths: Paths) -> CollectorRegistry:
    """The registry a scrape renders: the enabled collectors (the exporter's own metrics are added by command())."""
    context = Context(paths=paths, options=options)
    collectors = {name: COLLECTORS.build(name, context) for name in enabled_collectors(options)}
    registry = CollectorRegistry(auto_describe=False)
    registry.register(NodeCollector(collectors))
    return registry


def _add_options(func):
    options = [
        click.option("--path.procfs", "path_procfs", default="/proc", show_default=True, help="procfs mountpoint."),
        click.option("--path.sysfs", "path_sysfs", default="/sys", show_default=True, help="sysfs mountpoint."),
        click.option("--path.rootfs", "path_rootfs", default="/", show_default=True, help="rootfs mountpoint."),
        click.option("--path.udev.data", "path_udev_data", default="/run/udev/data", show_default=True,
                     help="udev data path."),
        click.option("--collector.disable-defaults", "disable_defaults", is_flag=True,
                     help="Set all collectors to disabled by default."),
        *COLLECTORS.click_options(),
        PORTABLE_FLAG.click_option(),
    ]
    for option in reversed(options):
        func = option(func)
    return toolkit_cli.web_options(":9100")(func)


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
@_add_options
@click.version_option(__version__, "--version", prog_name="node_exporter")
def command(**options: Any) -> None:
    """Prometheus exporter for hardware and OS metrics exposed by *NIX kernels."""
    logs.setup(options["log_level"], options["log_format"])
    paths = Paths(options["path_procfs"], options["path_sysfs"], options["path_rootfs"], options["path_udev_data"])
    registry = build_registry(options, paths)
    hooks = Hooks()
    if not options["disable_exporter_metrics"]:
        build_info(registry, "node_exporter", __version__)
        hooks = add_exporter_metrics(registry)
    server = ServerConfig(
        name="Node Exporter",
        description="Prometheus Node Exporter (Python)",
        version=__version__,
        metrics=registry_handler(registry),
        hooks=hooks,
        listen_addresses=options["listen_addresses"],
        telemetry_path=options["telemetry_path"],
        web_config_file=options["web_config_file"],
        max_requests=options["max_requests"],
        max_connections=options["web_max_connections"],
    )
    exporter = Exporter(server)  # loads and validates the web config: a bad one stops us here, exit 2
    exporter.bind_or_exit()  # a port taken or not ours: one line, exit 2
    log.info("Starting node_exporter", extra={"version": __version__})
    log.info("Enabled collectors", extra={"collectors": ",".join(enabled_collectors(options))})
    exporter.serve()


def main(args: list[str] | None = None) -> None:
    tune_malloc()  # one arena, scrape buffers returned to the kernel: see exporter_toolkit/memory.py
    toolkit_cli.run(command, "node-exporter", args)
