"""Fixtures shared by every tier: the fixture tree, real binaries (installed by scripts/test), our daemon."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from testbed.harness import Daemon, free_port, start_daemon

REPO = Path(__file__).resolve().parent.parent
NODE_FIXTURE = REPO / "tests" / "fixtures" / "node"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_binary(name: str) -> str:
    """Path of a real server binary; a missing one skips locally but fails under CI=true."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (scripts/test installs it with apt-get)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def node_fixture_paths():
    from node_exporter.paths import Paths

    return Paths(procfs=str(NODE_FIXTURE / "proc"), sysfs=str(NODE_FIXTURE / "sys"),
                 rootfs=str(NODE_FIXTURE / "rootfs"), udev_data=str(NODE_FIXTURE / "udev"))


@pytest.fixture
def start_node_exporter(tmp_path):
    """Start our node exporter as a real process on a free loopback port; stopped after the test."""
    started: list[Daemon] = []

    def start(*args: str, port: int | None = None, ready_path: str = "/healthz", **kwargs) -> Daemon:
        port = port or free_port()
        argv = [sys.executable, "-m", "node_exporter", f"--web.listen-address=127.0.0.1:{port}", *args]
        daemon = start_daemon("node-exporter", argv, port, str(tmp_path / f"node-exporter-{port}.log"),
                              ready_path=ready_path, **kwargs)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.stop()
