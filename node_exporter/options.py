"""Helpers for collector flags: regular expressions validated when the flags are parsed."""

from __future__ import annotations

import re

import click


def _compile(_ctx, _param, value: str | None) -> re.Pattern | None:
    if value is None:
        return None
    try:
        return re.compile(value)
    except re.error as exc:
        raise click.BadParameter(f"invalid regular expression {value!r}: {exc}") from exc


def regex_option(flag: str, dest: str, default: str | None, help_text: str):
    """A regexp flag; its value reaches the collector compiled, or None when unset."""
    return click.option(flag, dest, default=default, show_default=default is not None, callback=_compile,
                        help=help_text)


def include_exclude(include: re.Pattern | None, exclude: re.Pattern | None, what: str):
    """A predicate 'is this name ignored?' for a mutually exclusive include/exclude pair of flags."""
    if include is not None and exclude is not None:
        raise click.UsageError(f"{what}: device-include and device-exclude are mutually exclusive")
    if include is not None:
        return lambda name: include.search(name) is None
    if exclude is not None:
        return lambda name: exclude.search(name) is not None
    return lambda name: False
