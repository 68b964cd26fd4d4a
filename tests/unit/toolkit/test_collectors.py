"""The unit contract (exporter_toolkit.collectors): name, default and typed flags declared on the class, read
from that declaration; the set's flags, enabled units and builds."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from exporter_toolkit.collectors import CollectorSet, Option, Unit, declared_options


def _seconds(_ctx, _param, value: str) -> float:
    return float(value.removesuffix("s"))


def make_set() -> CollectorSet:
    units = CollectorSet("collector", context_for_all=False)

    @units.register
    class Plain(Unit):
        name = "plain"

    @units.register
    class Tuned(Unit):
        name = "tuned"
        enabled_by_default = False
        LIMIT = Option("--collector.tuned.limit", "tuned_limit", 250, "Rows at most.", type=int)
        TIMEOUT = Option("--collector.tuned.timeout", "tuned_timeout", 1.5, "Timeout.", parse=_seconds,
                         flag_default="1.5s")
        VERBOSE = Option("--collector.tuned.verbose", "tuned_verbose", True, "Say more.", is_flag=True)

        def __init__(self, options) -> None:
            self.limit = self.LIMIT.read(options)
            self.timeout = self.TIMEOUT.read(options)
            self.verbose = self.VERBOSE.read(options)

    return units


def parse(units: CollectorSet, *args: str) -> dict:
    seen = {}

    @click.command()
    def command(**options):
        seen.update(options)

    for option in reversed(units.click_options()):
        command = option(command)
    result = CliRunner().invoke(command, list(args))
    assert result.exit_code == 0, result.output
    return seen


def test_options_are_read_from_their_declaration():
    units = make_set()
    tuned = units.units["tuned"]
    assert [option.dest for option in declared_options(tuned)] == ["tuned_limit", "tuned_timeout", "tuned_verbose"]
    built = units.build("tuned", {})  # absent flags: the declared, typed defaults
    assert (built.limit, built.timeout, built.verbose) == (250, 1.5, True)
    parsed = parse(units, "--collector.tuned.limit=7", "--collector.tuned.timeout=3s", "--no-collector.tuned.verbose")
    built = units.build("tuned", parsed)
    assert (built.limit, built.timeout, built.verbose) == (7, 3.0, False)
    defaults = units.build("tuned", parse(units))  # the command line's defaults read as the declaration's
    assert (defaults.limit, defaults.timeout, defaults.verbose) == (250, 1.5, True)


def test_enabled_units_follow_go_semantics():
    units = make_set()
    assert units.enabled(parse(units)) == ["plain"]
    assert units.enabled(parse(units, "--collector.tuned", "--no-collector.plain")) == ["tuned"]
    assert units.enabled({}, disable_defaults=True) == []


def test_a_unit_without_options_is_built_without_arguments_unless_the_set_passes_a_context():
    units = make_set()
    assert type(units.build("plain", {"anything": 1})).__name__ == "Plain"

    with_context = CollectorSet("collector", context_for_all=True)

    @with_context.register
    class NeedsContext(Unit):
        name = "needs"

        def __init__(self, ctx) -> None:
            self.ctx = ctx

    assert with_context.build("needs", "ctx").ctx == "ctx"


def test_variants_are_built_when_wanted_and_names_are_unique():
    units = make_set()

    class Other:
        def __init__(self, options) -> None:
            self.options = options

    units.register_variant("plain", Other, lambda options: options.get("portable", False))
    assert isinstance(units.build("plain", {"portable": True}), Other)
    assert type(units.build("plain", {})).__name__ == "Plain"

    class Again(Unit):
        name = "plain"

    with pytest.raises(ValueError, match="registered twice"):
        units.register(Again)
