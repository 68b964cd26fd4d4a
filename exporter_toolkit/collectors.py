"""A named set of collectors, each registered once with its default, as Go exporters organise theirs.

The set turns into flags (`--<prefix>.NAME` / `--no-<prefix>.NAME` plus each collector's own options) and
answers which collectors a parsed command line enables, with Go semantics: a collector's default unless
`disable_defaults`, explicit flags always win.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class CollectorSpec:
    name: str
    default_enabled: bool
    factory: Callable[..., Any]
    options: tuple = ()  # click options the collector owns
    help: str = ""


class CollectorSet:
    def __init__(self, flag_prefix: str) -> None:
        self.flag_prefix = flag_prefix
        self.specs: dict[str, CollectorSpec] = {}

    def register(self, name: str, default: bool = True, options: Iterable = (), help: str = "") -> Callable:
        """Class decorator: make a collector known by name, enabled by default or not."""

        def decorate(cls):
            if name in self.specs:
                raise ValueError(f"collector {name} registered twice")
            self.specs[name] = CollectorSpec(name, default, cls, tuple(options), help)
            cls.name = name
            return cls

        return decorate

    def dest(self, name: str) -> str:
        return f"{self.flag_prefix}__{name}".replace(".", "_")

    def click_options(self) -> list:
        options = []
        for name, spec in sorted(self.specs.items()):
            state = "enabled" if spec.default_enabled else "disabled"
            text = spec.help or f"Enable the {name} collector"
            options.append(click.option(f"--{self.flag_prefix}.{name}/--no-{self.flag_prefix}.{name}", self.dest(name),
                                        default=None, help=f"{text} (default: {state})."))
            options.extend(spec.options)
        return options

    def enabled(self, options: dict[str, Any], disable_defaults: bool = False) -> list[str]:
        names = []
        for name, spec in sorted(self.specs.items()):
            explicit = options.get(self.dest(name))
            default = spec.default_enabled and not disable_defaults
            if explicit if explicit is not None else default:
                names.append(name)
        return names
