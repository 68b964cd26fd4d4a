"""A named set of units (node collectors, MySQL scrapers), each declared on its class and registered once.

A unit class declares its `name`, `enabled_by_default`, the `help` of its flag and its own flags as `Option`
class attributes. The set turns them into flags (`--<prefix>.NAME` / `--no-<prefix>.NAME` plus each unit's
options), answers which units a parsed command line enables (Go semantics: a unit's default unless
`disable_defaults`, explicit flags win) and builds them, picking a registered variant where its test holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import click


@dataclass(frozen=True)
class Option:
    """One flag, declared once: where click stores it (`dest`), its typed default, and how its text is read.

    `default` is the value a unit gets when the flag is absent (also when a unit is built from a plain dict,
    as tests do); `flag_default` is that default as written on a command line, when `parse` (a click callback)
    turns text into the value (a duration, a compiled regexp).
    """

    flag: str
    dest: str
    default: Any = None
    help: str = ""
    type: Any = None
    is_flag: bool = False
    multiple: bool = False
    parse: Callable[[Any, Any, Any], Any] | None = None
    flag_default: Any = None
    show_default: bool = True
    hidden: bool = False
    on_command_line: bool = True  # False: the flag has no default of its own, absent reads as `default`

    def click_option(self) -> Callable:
        if self.is_flag:
            if self.default:
                return click.option(f"{self.flag}/--no-{self.flag[2:]}", self.dest, default=True, help=self.help,
                                    hidden=self.hidden)
            return click.option(self.flag, self.dest, is_flag=True, help=self.help, hidden=self.hidden)
        default = self.flag_default if self.flag_default is not None else self.default
        if not self.on_command_line:
            default = None
        if self.multiple:
            default = tuple(default or ())
        return click.option(self.flag, self.dest, default=default, type=self.type, multiple=self.multiple,
                            callback=self.parse, show_default=self.show_default and default not in (None, (), ""),
                            help=self.help, hidden=self.hidden)

    def read(self, options: Mapping[str, Any]) -> Any:
        """The flag's value in parsed options, or the declared default when it is absent."""
        value = options.get(self.dest)
        return self.default if value is None else value


class Unit:
    """What every member of a set declares on its class (flags as `Option` class attributes)."""

    name: ClassVar[str]
    enabled_by_default: ClassVar[bool] = True
    help: ClassVar[str] = ""


def declared_options(cls: type) -> list[Option]:
    """A unit's Option class attributes, in declaration order (inherited ones first)."""
    found: dict[str, Option] = {}
    for klass in reversed(cls.__mro__):
        found.update((key, value) for key, value in vars(klass).items() if isinstance(value, Option))
    return list(found.values())


@dataclass(frozen=True)
class Variant:
    """Another implementation of a unit, built instead of it when `wanted(arg)` holds."""

    cls: type
    wanted: Callable[[Any], bool]


class CollectorSet:
    def __init__(self, flag_prefix: str, context_for_all: bool) -> None:
        """`context_for_all`: every unit is built with the set's argument (a node collector's Context); otherwise
        only units declaring options get it (a MySQL scraper's parsed options), the others take none."""
        self.flag_prefix = flag_prefix
        self.context_for_all = context_for_all
        self.units: dict[str, Any] = {}
        self.variants: dict[str, list[Variant]] = {}

    def register(self, unit: type) -> type:
        """Class decorator: make a unit known under its declared name."""
        if unit.name in self.units:  # type: ignore[attr-defined]
            raise ValueError(f"{self.flag_prefix} {unit.name} registered twice")  # type: ignore[attr-defined]
        self.units[unit.name] = unit  # type: ignore[attr-defined]
        return unit

    def register_variant(self, name: str, cls: type, wanted: Callable[[Any], bool]) -> None:
        """Build `cls` instead of the unit `name` when `wanted(arg)` holds (the node's portable mode)."""
        self.variants.setdefault(name, []).append(Variant(cls, wanted))

    def dest(self, name: str) -> str:
        return f"{self.flag_prefix}__{name}".replace(".", "_")

    def click_options(self) -> list:
        options = []
        for name, cls in sorted(self.units.items()):
            state = "enabled" if cls.enabled_by_default else "disabled"
            text = cls.help or f"Enable the {name} collector"
            options.append(click.option(f"--{self.flag_prefix}.{name}/--no-{self.flag_prefix}.{name}", self.dest(name),
                                        default=None, help=f"{text} (default: {state})."))
            options.extend(option.click_option() for option in declared_options(cls))
        return options

    def enabled(self, options: Mapping[str, Any], disable_defaults: bool = False) -> list[str]:
        names = []
        for name, cls in sorted(self.units.items()):
            explicit = options.get(self.dest(name))
            default = cls.enabled_by_default and not disable_defaults
            if explicit if explicit is not None else default:
                names.append(name)
        return names

    def build(self, name: str, arg: Any) -> Any:
        """The unit `name` (or the first variant wanted) built with `arg`: a node Context, a scraper's options."""
        for variant in self.variants.get(name, ()):
            if variant.wanted(arg):
                return variant.cls(arg)
        cls = self.units[name]
        return cls(arg) if self.context_for_all or declared_options(cls) else cls()
