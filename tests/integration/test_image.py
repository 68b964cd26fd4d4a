"""The suite's image, each daemon run from it as deploy/kubernetes runs it (benchmarks/image_bench.py reads the
rendered manifests and turns them into `podman run`), against the real thing or the test servers: the node
exporter against this host, the kube-state exporter against the API simulator, the MySQL exporter against a
throw-away MariaDB. The image is built if missing (scripts/image; the bases and layers are cached)."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.image_bench import (
    HOST_LOOPBACK,
    LIMITS,
    PODMAN,
    build_image,
    first_scrape,
    my_cnf,
    pod_spec,
    rendered_manifests,
    run_as_manifest,
    secret_files,
    service_account_env,
    service_account_files,
    simulator_apiserver,
)
from testbed.harness import free_port, start_daemon, wait_for
from tests.conftest import REPO, require_binary

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1200)]  # a fresh machine builds the image first


@pytest.fixture(scope="module")
def image() -> str:
    for binary in ("podman", "mmdebstrap", "runc", "kubectl"):
        require_binary(binary)
    return build_image()


@pytest.fixture(scope="module")
def manifests() -> list[dict]:
    return rendered_manifests()


@pytest.fixture
def containers():
    started = []
    yield started
    for running in started:
        running.stop()


def samples(text: str, name: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples if s.name == name]


def assert_runs_as_declared(running, pod: dict) -> None:
    """The process in the container: the manifest's user and group, no capability, no privilege escalation,
    a read-only root filesystem."""
    status = Path(f"/proc/{running.pid()}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    user = str(pod["securityContext"]["runAsUser"])
    group = str(pod["securityContext"]["runAsGroup"])
    assert fields["Uid"].split() == [user] * 4 and fields["Gid"].split() == [group] * 4
    assert int(fields["CapEff"], 16) == 0 and int(fields["CapPrm"], 16) == 0 and int(fields["CapBnd"], 16) == 0
    assert fields["NoNewPrivs"].strip() == "1"
    inspect = subprocess.run([*PODMAN, "inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", running.cid],
                             capture_output=True, text=True, check=True).stdout
    assert inspect.strip() == "true"


def assert_probes_answer(running) -> None:
    """Readiness is asked until it holds (the kubelet asks every periodSeconds); liveness then holds too."""
    for kind in ("readinessProbe", "livenessProbe"):
        assert kind in running.spec, f"the manifest declares no {kind}"
    wait_for(lambda: running.probe("readinessProbe"), timeout=90, what="the readiness probe")
    assert running.probe("livenessProbe")


def host_args(pod: dict, port_args: list[str]) -> list[str]:
    """The manifest's args as the same daemon takes them on the host: each path under a volume's mountPath
    becomes the path under its hostPath; the listen address is the given free one."""
    container = pod["containers"][0]
    volumes = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"] if "hostPath" in v}
    mounts = sorted(((m["mountPath"], volumes[m["name"]]) for m in container["volumeMounts"]),
                    key=lambda mount: -len(mount[0]))
    out = []
    for arg in container["args"]:
        for mount_path, host_path in mounts:
            arg = re.sub(rf"(?<==){re.escape(mount_path)}(?=/|$)", host_path.rstrip("/") or "/", arg)
            arg = arg.replace("//", "/")
        out.append(arg)
    listen = [a for a in out if a.startswith("--web.listen-address=")]
    return [a for a in out if a not in listen] + port_args


def test_node_exporter_as_the_daemonset_runs_it(image, manifests, containers, tmp_path):
    """Host network and PID, the host's /proc, /sys and / read-only under /host: the same families and collector
    results as the same code run on the host with the same args, mount points named as the host names them."""
    pod = pod_spec(manifests, "DaemonSet", "node-exporter")
    assert pod["hostNetwork"] and pod["hostPID"]
    running = run_as_manifest(image, pod)
    containers.append(running)
    first_scrape(running, "metrics")
    assert_probes_answer(running)
    assert_runs_as_declared(running, pod)

    port = free_port()
    argv = [sys.executable, "-m", "node_exporter", *host_args(pod, [f"--web.listen-address=127.0.0.1:{port}"])]
    assert any(arg == "--path.procfs=/proc" for arg in argv) and any(arg == "--path.rootfs=/" for arg in argv)
    host = start_daemon("node_exporter on the host", argv, port, str(tmp_path / "host.log"), ready_path="/metrics",
                        cwd=str(REPO))
    try:
        ours = requests.get(running.url("metrics", "/metrics"), timeout=30).text
        theirs = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
    finally:
        host.stop()
    families = {f.name for f in text_string_to_metric_families(ours)}
    assert families == {f.name for f in text_string_to_metric_families(theirs)}
    success = {s.labels["collector"]: s.value for s in samples(ours, "node_scrape_collector_success")}
    assert success == {s.labels["collector"]: s.value for s in samples(theirs, "node_scrape_collector_success")}
    assert success["filesystem"] == 1 and success["cpu"] == 1

    mountpoints = {s.labels["mountpoint"] for s in samples(ours, "node_filesystem_size_bytes")}
    assert "/" in mountpoints and not any(m.startswith("/host") for m in mountpoints), mountpoints
    # The host run is root (this virtualenv's interpreter lives where nobody cannot enter); the container's
    # nobody cannot statfs a mount under a directory others may not search (e.g. podman's own storage).
    on_host = {s.labels["mountpoint"] for s in samples(theirs, "node_filesystem_size_bytes")}
    assert mountpoints == {m for m in on_host if searchable_by_others(m)}


def searchable_by_others(path: str) -> bool:
    """Whether a user owning nothing may reach path: every directory above it searchable by others."""
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in Path(path).parents)


def test_kube_state_exporter_as_the_deployment_runs_it(image, manifests, containers, tmp_path):
    """The service account token where the kubelet mounts it, the simulator as the API server: every default
    resource listed, /readyz 200, the simulator's nodes served."""
    from kube_sim.mix import R
    from kube_state_exporter.resources import DEFAULT_RESOURCES
    from testbed.kube import start_cluster

    pod = pod_spec(manifests, "Deployment", "kube-state-exporter")
    cluster = start_cluster(tmp_path)
    try:
        running = run_as_manifest(image, pod, service_account=service_account_files(),
                                  env=service_account_env(cluster.sim.port),
                                  extra_args=simulator_apiserver(cluster.sim.port))
        containers.append(running)
        assert_probes_answer(running)
        assert_runs_as_declared(running, pod)
        assert requests.get(running.url("telemetry", "/readyz"), timeout=10).status_code == 200

        telemetry = requests.get(running.url("telemetry", "/metrics"), timeout=30).text
        listed = {s.labels["resource"] for s in samples(telemetry, "kube_state_metrics_list_total")
                  if s.labels["result"] == "success" and s.value >= 1}
        assert listed == set(DEFAULT_RESOURCES)
        text = first_scrape(running, "http-metrics", lambda body: "kube_node_info{" in body)
        nodes = {s.labels["node"] for s in samples(text, "kube_node_info")}
        held, _ = cluster.sim.store.list(R["nodes"], None)
        assert nodes == {node["metadata"]["name"] for node in held}
    finally:
        cluster.stop()


def test_mysql_exporter_as_the_deployment_runs_it(image, manifests, containers, tmp_path):
    """Its my.cnf where the Deployment mounts the Secret (mode 0440, group fsGroup): mysql_up 1, every default
    scraper served without error, the password in neither the container's configuration nor its log."""
    require_binary("mariadbd")
    from mysql_exporter.scraper import SCRAPERS
    from mysql_exporter.scrapers import __name__ as _registered  # noqa: F401 - registers the scrapers
    from testbed.mariadb import start_mariadb

    pod = pod_spec(manifests, "Deployment", "mysql-exporter")
    server = start_mariadb(tmp_path / "db")
    password = "image-test-pass"
    try:
        server.create_exporter_user(password)
        cnf = my_cnf(secret_files(manifests, "mysql-exporter")["my.cnf"], user="exporter", password=password,
                     host=HOST_LOOPBACK, port=str(server.port))
        running = run_as_manifest(image, pod, secrets={"mysql-exporter": {"my.cnf": cnf}})
        containers.append(running)
        assert_probes_answer(running)
        assert_runs_as_declared(running, pod)
        text = first_scrape(running, "metrics", lambda body: "\nmysql_up 1" in body)
        text = requests.get(running.url("metrics", "/metrics"), timeout=30).text
        assert [s.value for s in samples(text, "mysql_up")] == [1.0]
        assert [s.value for s in samples(text, "mysql_exporter_last_scrape_error")] == [0.0]
        served = {s.labels["collector"] for s in samples(text, "mysql_exporter_collector_duration_seconds")}
        defaults = {f"collect.{name}" for name, cls in SCRAPERS.units.items() if cls.enabled_by_default}
        assert len(defaults) >= 5 and served == {"connection", *defaults}
        assert samples(text, "mysql_global_status_uptime") and samples(text, "mysql_global_variables_max_connections")
        inspect = subprocess.run([*PODMAN, "inspect", running.cid], capture_output=True, text=True, check=True)
        assert password not in inspect.stdout and password not in running.logs()
    finally:
        server.stop()


IMAGE_CONTENTS = r"""
import importlib.util, json, os, shutil, sys
caches, sources_without_pyc = [], []
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(root, d) not in ("/proc", "/sys", "/dev")]
    caches += [os.path.join(root, d) for d in dirs if d == ".cache"]
    if "site-packages" in root:
        compiled = set(os.listdir(os.path.join(root, "__pycache__"))) if "__pycache__" in dirs else set()
        sources_without_pyc += [os.path.join(root, f) for f in files if f.endswith(".py")
                                and not any(c.startswith(f[:-3] + ".") for c in compiled)]
print(json.dumps({
    "modules": {name: importlib.util.find_spec(name) is not None for name in
                ("pip", "setuptools", "tests", "kube_sim", "app_instrumentation", "localstack", "node_exporter",
                 "kube_state_exporter", "mysql_exporter", "exporter_toolkit")},
    "compilers": [name for name in ("cc", "gcc", "g++", "clang", "x86_64-linux-gnu-gcc-12") if shutil.which(name)],
    "caches": caches, "sources_without_pyc": sources_without_pyc, "commands": sorted(
        name for name in ("node-exporter", "kube-state-exporter", "mysql-exporter") if shutil.which(name)),
}))
"""


def test_image_contents(image):
    """Only the daemons' wheel and its dependencies, compiled: no pip, no compiler, no cache, no tests, no
    simulators or instrumentation library; the three daemons are its commands; it runs as 65534."""
    user = subprocess.run([*PODMAN, "image", "inspect", "--format", "{{.Config.User}}", image],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert user == "65534:65534"
    result = subprocess.run([*PODMAN, "run", "--rm", *LIMITS, "--read-only", "--network", "none",
                             "--entrypoint", "python3", image, "-c", IMAGE_CONTENTS],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["modules"] == {"pip": False, "setuptools": False, "tests": False, "kube_sim": False,
                                "app_instrumentation": False, "localstack": False, "node_exporter": True,
                                "kube_state_exporter": True, "mysql_exporter": True, "exporter_toolkit": True}
    assert found["compilers"] == [] and found["caches"] == []
    assert found["sources_without_pyc"] == []  # nothing to compile, so nothing to write at run time
    assert found["commands"] == ["kube-state-exporter", "mysql-exporter", "node-exporter"]
