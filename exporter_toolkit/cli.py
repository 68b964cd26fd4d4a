"""Flags every daemon shares (named as in the Go exporters) and the wrapper that turns bad input into one line
and exit code 2."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import click
from prometheus_client import disable_created_metrics

from exporter_toolkit.connections import MAX_CONNECTIONS
from exporter_toolkit.errors import ConfigError
from exporter_toolkit.listen import parse_listen_address
from exporter_toolkit.logs import FORMATS, LEVELS


def _validate_listen(_ctx, _param, values: tuple[str, ...]) -> list[str]:
    try:
        for value in values:
            parse_listen_address(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[-1]) from exc
    return list(values)


def _validate_path(_ctx, _param, value: str) -> str:
    if not value.startswith("/"):
        raise click.BadParameter("must start with '/'")
    return value


def web_options(default_address: str) -> Callable:
    """Decorator adding the exporter-toolkit and logging flags."""
    options = [
        click.option("--web.listen-address", "listen_addresses", multiple=True, default=[default_address],
                     show_default=True, callback=_validate_listen,
                     help="Addresses on which to expose metrics and web interface. Repeatable."),
        click.option("--web.telemetry-path", "telemetry_path", default="/metrics", show_default=True,
                     callback=_validate_path, help="Path under which to expose metrics."),
        click.option("--web.config.file", "web_config_file", default=None,
                     help="Path to configuration file that can enable TLS or authentication."),
        click.option("--web.max-requests", "max_requests", type=click.IntRange(min=0), default=40,
                     show_default=True, help="Maximum number of parallel scrape requests. Use 0 to disable."),
        click.option("--web.max-connections", "web_max_connections", type=click.IntRange(min=1),
                     default=MAX_CONNECTIONS, show_default=True,
                     help="Maximum number of open client connections; beyond it new ones are closed at once. The "
                          "open file limit is raised to match where the hard limit allows."),
        click.option("--web.disable-exporter-metrics", "disable_exporter_metrics", is_flag=True,
                     help="Exclude metrics about the exporter itself (promhttp_*, process_*, python_*)."),
        *log_options(),
    ]

    def decorate(func: Callable) -> Callable:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def log_options() -> list[Callable]:
    """--log.level and --log.format (Go's promlog flags), for every daemon; values go to logs.setup()."""
    return [
        click.option("--log.level", "log_level", type=click.Choice(list(LEVELS)), default="info", show_default=True,
                     help="Only log messages with the given severity or above."),
        click.option("--log.format", "log_format", type=click.Choice(list(FORMATS)), default="logfmt",
                     show_default=True, help="Output format of log messages."),
    ]


def run(command: click.Command, prog: str, args: Sequence[str] | None = None) -> None:
    """Invoke a click command; usage and configuration errors become `prog: error: ...` and exit 2."""
    # The daemons' own counters (promhttp_*) without _created series, like the Go exporters'.
    disable_created_metrics()
    try:
        code = command.main(args=list(args) if args is not None else None, prog_name=prog, standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(2)
    except click.UsageError as exc:
        print(f"{prog}: error: {_one_line(exc.format_message())}", file=sys.stderr)
        sys.exit(2)
    except ConfigError as exc:
        print(f"{prog}: error: {_one_line(str(exc))}", file=sys.stderr)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        sys.exit(1)
    sys.exit(code or 0)


def _one_line(message: str) -> str:
    return " ".join(message.split())
