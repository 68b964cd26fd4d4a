"""Helpers for collector flags: regular expressions validated when the flags are parsed, device filters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import click

from exporter_toolkit.collectors import Option


def _compile(_ctx, _param, value: str | None) -> re.Pattern | None:
    if value is None:
        return None
    try:
        return re.compile(value)
    except re.error as exc:
        raise click.BadParameter(f"invalid regular expression {_shown(value)}: {exc}") from exc
    except RecursionError as exc:  # Go's regexp refuses nesting deeper than 1000 too
        raise click.BadParameter(f"invalid regular expression {_shown(value)}: nested too deeply") from exc
    except (OverflowError, MemoryError) as exc:
        raise click.BadParameter(f"invalid regular expression {_shown(value)}: too large") from exc


def _shown(value: str) -> str:
    """The expression as an error line quotes it: whole when short, its start when it is kilobytes long."""
    return repr(value) if len(value) <= 80 else f"{value[:60]!r}... ({len(value)} characters)"


def regex(flag: str, dest: str, default: str | None, help_text: str) -> Option:
    """A regexp flag, validated when parsed; the collector reads it compiled (its default too), or None when
    unset without a default."""
    return Option(flag, dest, re.compile(default) if default is not None else None, help_text, parse=_compile,
                  flag_default=default)


def device_filter_options(collector: str, what: str, default_exclude: str | None = None) -> tuple[Option, Option]:
    """The Go exporter's --collector.X.device-include / --collector.X.device-exclude pair."""
    exclude_help = f"Regexp of {what} to exclude (mutually exclusive to device-include)."
    if default_exclude is not None:
        exclude_help += f" [default: {default_exclude}]"
    include = regex(f"--collector.{collector}.device-include", f"{collector}_device_include", None,
                    f"Regexp of {what} to include (mutually exclusive to device-exclude).")
    # The default exclude applies only when neither flag is given: it is not the flag's command-line default.
    exclude = Option(f"--collector.{collector}.device-exclude", f"{collector}_device_exclude",
                     re.compile(default_exclude) if default_exclude is not None else None, exclude_help,
                     parse=_compile, on_command_line=False)
    return include, exclude


def device_filter(options: Mapping[str, Any], include_option: Option, exclude_option: Option):
    """A predicate 'is this device ignored?' from the flag pair; when neither is set, the default exclude applies
    (without one, no device is ignored)."""
    include = options.get(include_option.dest)
    exclude = options.get(exclude_option.dest)
    if include is not None and exclude is not None:
        collector = include_option.dest.removesuffix("_device_include")
        raise click.UsageError(f"collector.{collector}: device-include and device-exclude are mutually exclusive")
    if include is not None:
        return lambda name: include.search(name) is None
    exclude = exclude_option.read(options)
    if exclude is None:
        return lambda name: False
    return lambda name: exclude.search(name) is not None


class FieldSelector:
    """A regexp flag applied to kernel field names, the decision remembered per name: the names repeat every
    scrape and a dict lookup is far cheaper than a search."""

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern = pattern
        self._decisions: dict[str, bool] = {}

    def __call__(self, name: str) -> bool:
        wanted = self._decisions.get(name)
        if wanted is None:
            wanted = self._decisions[name] = self.pattern.search(name) is not None
        return wanted
