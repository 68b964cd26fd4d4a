"""Helpers for collector flags: regular expressions validated when the flags are parsed."""

from __future__ import annotations

import re

import click


def _compile(_ctx, _param, value: str | None) -> re.Pattern | None:
    if value is None:
        return None
    try:
        return re.compile(value)
    except (re.error, OverflowError, RecursionError) as exc:  # OverflowError: a{99999999999}
        raise click.BadParameter(f"invalid regular expression {value!r}: {exc}") from exc


def regex_option(flag: str, dest: str, default: str | None, help_text: str):
    """A regexp flag; its value reaches the collector compiled, or None when unset."""
    return click.option(flag, dest, default=default, show_default=default is not None, callback=_compile,
                        help=help_text)


def device_filter_options(collector: str, what: str, default_exclude: str | None = None) -> list:
    """The Go exporter's --collector.X.device-include / --collector.X.device-exclude pair."""
    exclude_help = f"Regexp of {what} to exclude (mutually exclusive to device-include)."
    if default_exclude is not None:
        exclude_help += f" [default: {default_exclude}]"
    return [
        regex_option(f"--collector.{collector}.device-include", f"{collector}_device_include", None,
                     f"Regexp of {what} to include (mutually exclusive to device-exclude)."),
        regex_option(f"--collector.{collector}.device-exclude", f"{collector}_device_exclude", None, exclude_help),
    ]


def device_filter(options: dict, collector: str, default_exclude: str | None = None):
    """A predicate 'is this device ignored?' from the flag pair; when neither is set, the default exclude applies
    (without one, no device is ignored)."""
    include = options.get(f"{collector}_device_include")
    exclude = options.get(f"{collector}_device_exclude")
    if include is not None and exclude is not None:
        raise click.UsageError(f"collector.{collector}: device-include and device-exclude are mutually exclusive")
    if include is not None:
        return lambda name: include.search(name) is None
    if exclude is None and default_exclude is None:
        return lambda name: False
    exclude = exclude or re.compile(default_exclude)
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
