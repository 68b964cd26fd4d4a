"""Fixtures shared by every tier: the fixture tree, real binaries (installed by scripts/test), our daemon."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from testbed.harness import Daemon, free_port, start_daemon

REPO = Path(__file__).resolve().parent.parent
NODE_FIXTURE = REPO / "tests" / "fixtures" / "node"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# In CI the property tests draw the same examples every run (a red CI is reproducible, never a roll of the dice);
# by hand they explore, and benchmarks/fuzz_campaign.py explores at length.
settings.register_profile("ci", derandomize=True, database=None)
if IN_CI:
    settings.load_profile("ci")
SHARED = REPO.parent / "shared"  # reference data beside the checkout (Go fixtures, KSM cases, CRDs)


def require_binary(name: str) -> str:
    """Path of a real server binary; a missing one skips locally but fails under CI=true."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (scripts/test installs it with apt-get)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def require_shared(path: Path) -> Path:
    """Reference data under ../shared: missing, the test skips with that reason, but fails under CI=true."""
    if not path.exists():
        message = f"../{path.relative_to(REPO.parent)} is missing (reference data beside the checkout)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def require_named(variable: str, found: Path | None, what: str) -> Path:
    """A real server no registry here ships (kube-state-metrics, Grafana): the test runs when `variable` names it
    and skips otherwise, under CI=true too; named but not there is a failure."""
    if found is None:
        if os.environ.get(variable):
            pytest.fail(f"{variable}={os.environ[variable]}: no {what} there")
        pytest.skip(f"no {what}: set {variable} to run this test against it")
    return found


def require_ksm() -> Path:
    from testbed.kube import KSM_ENV, ksm_binary

    return require_named(KSM_ENV, ksm_binary(), "kube-state-metrics binary")


def require_grafana() -> Path:
    from testbed.grafana import GRAFANA_ENV, find_grafana

    return require_named(GRAFANA_ENV, find_grafana(named_only=True), "Grafana server")


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


EXPORTER_PASSWORD = "exp-s3cret-pw"


@pytest.fixture(scope="session")
def mariadb_primary(tmp_path_factory):
    """A real MariaDB (Debian's mariadb-server) for the session, with the exporter's least-privilege user (plus
    what SHOW SLAVE HOSTS needs), userstat and performance_schema on, a pt-heartbeat table and auto_increment
    tables: something for every scraper to read."""
    require_binary("mariadbd")
    from testbed.mariadb import ALL_SCRAPERS_ARGS, SLAVE_HOSTS_GRANT, prepare_for_all_scrapers, start_mariadb

    server = start_mariadb(tmp_path_factory.mktemp("mariadb-primary"), server_id=1, extra_args=ALL_SCRAPERS_ARGS)
    server.create_exporter_user(EXPORTER_PASSWORD, extra_grants=(SLAVE_HOSTS_GRANT,))
    prepare_for_all_scrapers(server)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mariadb_replica(tmp_path_factory, mariadb_primary):
    """A second MariaDB replicating from the primary (GTID), both threads running, registered with a report
    host so that the primary's SHOW SLAVE HOSTS lists it."""
    from testbed.harness import wait_for
    from testbed.mariadb import make_replica, start_mariadb

    server = start_mariadb(tmp_path_factory.mktemp("mariadb-replica"), server_id=2,
                           extra_args=("--report-host=replica-1", "--performance-schema=ON"))
    make_replica(mariadb_primary, server)
    wait_for(lambda: bool(mariadb_primary.sql("SHOW SLAVE HOSTS")), timeout=30, what="replica in SHOW SLAVE HOSTS")
    wait_for(lambda: bool(server.sql("SELECT 1 FROM information_schema.tables WHERE table_schema = 'heartbeat'")),
             timeout=30, what="heartbeat table replicated")
    yield server
    server.stop()


def write_my_cnf(path: Path, server, user: str = "exporter", password: str = EXPORTER_PASSWORD,
                 extra: str = "") -> Path:
    path.write_text(f"[client]\nuser={user}\npassword=\"{password}\"\nhost=127.0.0.1\nport={server.port}\n{extra}")
    path.chmod(0o600)
    return path


@pytest.fixture
def start_mysql_exporter(tmp_path):
    """Start our MySQL exporter as a real process on a free loopback port; stopped after the test."""
    started: list[Daemon] = []

    def start(*args: str, env: dict | None = None, **kwargs) -> Daemon:
        port = free_port()
        argv = [sys.executable, "-m", "mysql_exporter", f"--web.listen-address=127.0.0.1:{port}", *args]
        daemon = start_daemon("mysql-exporter", argv, port, str(tmp_path / f"mysql-exporter-{port}.log"),
                              ready_path="/healthz", env={**os.environ, **(env or {})}, **kwargs)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.stop()


@pytest.fixture
def sim_cluster(tmp_path):
    """The API server simulator with a fresh cluster (namespaces, nodes, kube-system configmaps)."""
    from testbed.kube import start_cluster

    cluster = start_cluster(tmp_path)
    yield cluster
    cluster.stop()


@pytest.fixture
def start_kube_exporter(tmp_path):
    """Start our kube-state exporter as a real process against a kubeconfig; stopped after the test."""
    started: list[Daemon] = []

    def start(kubeconfig: Path, *args: str, wait_ready: bool = True) -> tuple[Daemon, int]:
        port, telemetry = free_port(), free_port()
        argv = [sys.executable, "-m", "kube_state_exporter", f"--kubeconfig={kubeconfig}", "--host=127.0.0.1",
                f"--port={port}", "--telemetry-host=127.0.0.1", f"--telemetry-port={telemetry}", *args]
        daemon = start_daemon("kube-state-exporter", argv, port, str(tmp_path / f"kse-{port}.log"),
                              ready_path="/readyz" if wait_ready else "/healthz", timeout=60)
        started.append(daemon)
        return daemon, telemetry

    yield start
    for daemon in started:
        daemon.stop()


@pytest.fixture(scope="module", autouse=True)
def _stop_kube_exporters():
    """Exporters and kube-state-metrics started through testbed.kube never outlive their test module, even when a
    test fails half way (module-long helpers, such as the store-case runner's exporter, stay up until then)."""
    import testbed.kube

    before = len(testbed.kube.STARTED)
    yield
    while len(testbed.kube.STARTED) > before:
        testbed.kube.STARTED.pop().stop()
