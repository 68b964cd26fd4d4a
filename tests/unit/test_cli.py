"""Bad flags and configuration: one clear line on stderr and exit code 2, before anything listens."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from node_exporter.cli import enabled_collectors
from tests.conftest import REPO


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
        f"node-exporter: error: --web.config.file {config}: basic_auth_users entry for 'bob' is not a bcrypt hash "
        "(too short)"]
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


def test_collector_flags_of_go_manifests_are_accepted():
    result = run("--no-collector.wifi", "--collector.systemd", "--version")
    assert result.returncode == 0, result.stderr


# --- exit code 2 and one line naming the flag or file and the reason, for every daemon sharing the runtime ---

DAEMONS = {
    # prog name -> argv prefix reaching the HTTP server's start (the MySQL exporter needs a user to get there)
    "node-exporter": [sys.executable, "-m", "node_exporter"],
    "mysql-exporter": [sys.executable, "-m", "mysql_exporter", "--mysqld.username=exporter"],
}
NOBODY = 65534
# Root reads every file and binds every port: "permission denied" needs a process that is not root. The checkout
# and its virtualenv may sit where nobody cannot go (a clone under /root, mode 0700), so the child loads the
# daemon's package and the shared runtime as root, then drops to nobody before the daemon's main() runs: binding
# and reading the web config happen unprivileged, importing does not need to.
DROP_TO_NOBODY = f"""
import importlib, os, pkgutil, sys
module = sys.argv[1]
for package in (importlib.import_module(module), importlib.import_module("exporter_toolkit")):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not info.name.endswith(".__main__"):
            importlib.import_module(info.name)
os.setgroups([])
os.setgid({NOBODY})
os.setuid({NOBODY})
assert os.getuid() == os.geteuid() == {NOBODY}
sys.argv = [module, *sys.argv[2:]]
importlib.import_module(module + ".cli").main()
"""


def run_daemon(prog: str, *args: str, as_nobody: bool = False) -> subprocess.CompletedProcess:
    python, _, module, *flags = DAEMONS[prog]  # [python, "-m", module, *flags]
    argv = [python, "-c", DROP_TO_NOBODY, module, *flags, *args] if as_nobody else [*DAEMONS[prog], *args]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # A working directory nobody can enter too (the checkout may be under a 0700 folder).
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                          cwd=tempfile.gettempdir(), env=env)


@pytest.fixture
def world_readable_dir():
    """A directory every user can traverse (pytest's tmp_path sits under a 0700 folder of root)."""
    path = Path(tempfile.mkdtemp(prefix="cli-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def one_error_line(result: subprocess.CompletedProcess, prog: str) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{prog}: error: ")
    return lines[0]


@pytest.mark.parametrize("prog", DAEMONS)
def test_taken_port_exits_2_naming_the_address(prog):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_error_line(run_daemon(prog, f"--web.listen-address=127.0.0.1:{port}"), prog)
    assert line == f"{prog}: error: --web.listen-address: cannot listen on 127.0.0.1:{port}: address already in use"


@pytest.mark.parametrize("prog", DAEMONS)
def test_second_listen_address_failing_exits_2(prog):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_error_line(run_daemon(prog, "--web.listen-address=127.0.0.1:0",
                                         f"--web.listen-address=127.0.0.1:{port}"), prog)
    assert f"cannot listen on 127.0.0.1:{port}: address already in use" in line


@pytest.mark.parametrize("prog", DAEMONS)
def test_privileged_port_exits_2_with_permission_denied(prog):
    line = one_error_line(run_daemon(prog, "--web.listen-address=127.0.0.1:1", as_nobody=os.geteuid() == 0), prog)
    assert line == f"{prog}: error: --web.listen-address: cannot listen on 127.0.0.1:1: permission denied"


@pytest.mark.parametrize("prog", DAEMONS)
def test_missing_web_config_file_exits_2(prog, tmp_path):
    missing = tmp_path / "web.yml"
    line = one_error_line(run_daemon(prog, "--web.listen-address=127.0.0.1:0", f"--web.config.file={missing}"), prog)
    assert line == f"{prog}: error: --web.config.file {missing}: file not found"


@pytest.mark.parametrize("prog", DAEMONS)
def test_unreadable_web_config_file_exits_2(prog, world_readable_dir):
    config = world_readable_dir / "web.yml"
    config.write_text("basic_auth_users: {}\n")
    config.chmod(0o000)
    result = run_daemon(prog, "--web.listen-address=127.0.0.1:0", f"--web.config.file={config}",
                        as_nobody=os.geteuid() == 0)
    assert one_error_line(result, prog) == f"{prog}: error: --web.config.file {config}: permission denied"


@pytest.mark.parametrize("prog", DAEMONS)
def test_missing_tls_certificate_exits_2_naming_it(prog, tmp_path):
    config = tmp_path / "web.yml"
    config.write_text("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n")
    line = one_error_line(run_daemon(prog, "--web.listen-address=127.0.0.1:0", f"--web.config.file={config}"), prog)
    assert line == f"{prog}: error: --web.config.file {config}: cert_file {tmp_path / 'server.crt'}: file not found"


def test_unresolvable_listen_host_exits_2():
    line = one_error_line(run_daemon("node-exporter", "--web.listen-address=no-such-host.invalid:9100"),
                          "node-exporter")
    assert line.startswith("node-exporter: error: --web.listen-address: cannot listen on no-such-host.invalid:9100: ")


def test_kube_state_exporter_taken_port_exits_2():
    """The shared bind path gives 2 to the kube-state exporter too (its API server need not be reachable yet)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "kube_state_exporter", "--apiserver=http://127.0.0.1:1",
                                 "--host=127.0.0.1", f"--port={port}", "--telemetry-host=127.0.0.1",
                                 "--telemetry-port=0"], capture_output=True, text=True, timeout=30,
                                stdin=subprocess.DEVNULL, cwd=REPO)
    line = one_error_line(result, "kube-state-exporter")
    assert line == f"kube-state-exporter: error: --port: cannot listen on 127.0.0.1:{port}: address already in use"
