"""Bad flags and configuration: one clear line on stderr and exit code 2, before anything listens."""

from __future__ import annotations

import subprocess
import sys

import pytest

from node_exporter.cli import enabled_collectors


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "node_exporter", "--web.listen-address=127.0.0.1:0", *args],
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize(("args", "message"), [
    (["--no-such-flag"], "No such option '--no-such-flag'"),
    (["--collector.cpux"], "No such option '--collector.cpux'"),
    (["--web.max-requests=-1"], "--web.max-requests"),
    (["--log.level=verbose"], "--log.level"),
    (["--collector.vmstat.fields=(unclosed"], "invalid regular expression"),
    (["--web.telemetry-path=metrics"], "must start with '/'"),
    (["--collector.netdev.device-include=eth", "--collector.netdev.device-exclude=lo"], "mutually exclusive"),
])
def test_bad_flags_exit_2_with_one_line(args, message):
    result = run(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("node-exporter: error: ")
    assert message in lines[0]


def test_bad_listen_address_exits_2():
    result = subprocess.run([sys.executable, "-m", "node_exporter", "--web.listen-address=localhost"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "expected [host]:port" in result.stderr


def test_broken_web_config_exits_2(tmp_path):
    config = tmp_path / "web.yml"
    config.write_text("basic_auth_users:\n  bob: plaintext\n")
    result = run(f"--web.config.file={config}")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "node-exporter: error: web config: basic_auth_users entry for 'bob' is not a bcrypt hash"]
    assert "plaintext" not in result.stderr


def test_version_and_help():
    assert run("--version").stdout.startswith("node_exporter, version")
    help_text = run("--help").stdout
    for flag in ("--collector.filesystem.mount-points-exclude", "--no-collector.cpu", "--path.rootfs",
                 "--collector.textfile.directory", "--collector.disable-defaults"):
        assert flag in help_text


def test_collector_selection_follows_go_semantics():
    everything = enabled_collectors({})
    assert "cpu" in everything and "textfile" in everything
    assert "cpu" not in enabled_collectors({"collector__cpu": False})
    assert enabled_collectors({"disable_defaults": True, "collector__meminfo": True}) == ["meminfo"]


def test_go_only_collector_flags_are_accepted_for_existing_manifests():
    result = run("--no-collector.wifi", "--collector.systemd", "--version")
    assert result.returncode == 0, result.stderr
