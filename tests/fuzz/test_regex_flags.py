"""Allow/deny list regexes from the command line: kube's --metric-allowlist, --metric-denylist and
--metric-opt-in-list, node's --collector.*.exclude/include flags. Any text gives a working filter or a usage error
naming the flag (one line, exit 2), never a traceback."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from exporter_toolkit.errors import ConfigError
from kube_state_exporter.metric import FamilyGenerator
from kube_state_exporter.options import metric_filter, opt_in_filter
from node_exporter import options
from node_exporter.cli import command as node_command
from node_exporter.collectors import systemd
from tests.fuzz.support import examples, tried

# Every node flag whose value is compiled as a regex when the command line is parsed.
NODE_FLAGS = sorted(p.opts[0] for p in node_command.params if p.callback in (options._compile, systemd._anchored))
regexes = st.one_of(st.text(alphabet="ab.*+?|()[]{}^$\\,-=:<>!P0123456789dws ", max_size=24), st.text(max_size=16),
                    st.sampled_from(["(", "a{99999999999}", "(?P<x>a)(?P<x>b)", "[z-a]", "\\", "a**", "(?<=a+)b",
                                     "(" * 300 + ")" * 300, "x{2,1}", "(?i", "\\p{L}", "(?#", "a{,5}"]))


@examples(300)
@given(regexes, st.sampled_from(["--metric-allowlist", "--metric-denylist"]))
@example("a{99999999999}", "--metric-denylist")
@example("(" * 300 + ")" * 300, "--metric-allowlist")
def test_kube_metric_lists(pattern: str, flag: str) -> None:
    tried("regex flags (kube)")
    allow, deny = (pattern, "") if flag == "--metric-allowlist" else ("", pattern)
    try:
        wanted = metric_filter(allow, deny)
    except ConfigError as exc:
        assert flag in str(exc) and "\n" not in str(exc), str(exc)
        return
    assert isinstance(wanted("kube_pod_info"), bool)
    try:
        keep = opt_in_filter(wanted, pattern)
    except ConfigError as exc:
        raise AssertionError(f"{pattern!r} passed {flag} but not --metric-opt-in-list: {exc}") from exc
    assert isinstance(keep(FamilyGenerator("kube_pod_info", "", "gauge", lambda _obj: [], opt_in=True)), bool)


@pytest.mark.skipif(not NODE_FLAGS, reason="no node regex flags found")
@examples(300)
@given(regexes, st.sampled_from(NODE_FLAGS or ["--collector.filesystem.mount-points-exclude"]))
@example("a{99999999999}", "--collector.filesystem.mount-points-exclude")
def test_node_collector_filters(pattern: str, flag: str) -> None:
    tried("regex flags (node)")
    try:
        context = node_command.make_context("node-exporter", [f"{flag}={pattern}"])
    except click.UsageError as exc:
        message = exc.format_message()
        assert flag in message and "\n" not in message, message
        return
    dest = next(p.name for p in node_command.params if p.opts and p.opts[0] == flag)
    compiled = context.params[dest]
    assert compiled is None or isinstance(bool(compiled.search("eth0")), bool)


@pytest.mark.parametrize("argv", [
    [sys.executable, "-m", "node_exporter", "--web.listen-address=127.0.0.1:0",
     "--collector.filesystem.mount-points-exclude=a{99999999999}"],
    [sys.executable, "-m", "kube_state_exporter", "--kubeconfig=/nonexistent", "--metric-denylist=a{99999999999}"],
])
def test_the_daemons_exit_2_naming_the_flag(argv):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    flag = argv[-1].split("=")[0]
    assert flag in result.stderr and result.stderr.count("\n") == 1, result.stderr
