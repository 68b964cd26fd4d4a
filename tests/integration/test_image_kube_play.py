"""`podman kube play` of the exporters' Deployments from the rendered deploy/kubernetes, with the test's image
and configuration substituted, scraped.

What podman 4.3 (Debian bookworm) does not support, hence the substitutions: no ports are published unless a
containerPort names a hostPort (one is added); no service account token is mounted and no in-cluster
environment set (the kube-state exporter is given --apiserver); a `secret` volume makes it panic (nil pointer
dereference) whether the Secret is in the played YAML or in podman's secret store (the MySQL exporter's
my.cnf comes from a hostPath volume at the same mountPath); probes become podman healthchecks, which need
systemd (they are asked here as the kubelet asks them); it has no --ulimit (this host's limits are given in a
containers.conf). The DaemonSet kind is not supported, and its pod template played as a Pod is refused
(hostNetwork with containerPorts): the node exporter is covered by test_image.py only."""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.image_bench import (
    HOST_LOOPBACK,
    PODMAN,
    build_image,
    find,
    my_cnf,
    rendered_manifests,
    secret_files,
    simulator_apiserver,
)
from testbed.harness import free_port, wait_for
from tests.conftest import require_binary

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1200)]  # a fresh machine builds the image first


@pytest.fixture(scope="module")
def image() -> str:
    for binary in ("podman", "mmdebstrap", "runc", "kubectl", "catatonit"):
        require_binary(binary)
    return build_image()


@pytest.fixture(scope="module")
def manifests() -> list[dict]:
    return rendered_manifests()


class Played:
    """A Deployment given to `podman kube play`; its container's ports published on free loopback ports."""

    def __init__(self, deployment: dict, image: str, workdir: Path) -> None:
        self.deployment = copy.deepcopy(deployment)
        self.deployment["metadata"]["name"] += f"-{os.getpid()}-{free_port()}"  # unique among parallel runs
        self.deployment["metadata"].pop("namespace", None)
        self.container = self.deployment["spec"]["template"]["spec"]["containers"][0]
        self.container["image"] = image
        self.ports = {}
        for port in self.container["ports"]:
            port["hostPort"] = self.ports[port["name"]] = free_port()
        self.path = workdir / f"{self.deployment['metadata']['name']}.yaml"
        self.conf = workdir / "containers.conf"
        # This host's hard limits are below podman's default ulimits; kube play has no --ulimit.
        self.conf.write_text('[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n')

    def play(self) -> None:
        self.path.write_text(yaml.safe_dump(self.deployment))
        result = self._podman("kube", "play", "--network", "slirp4netns:allow_host_loopback=true", str(self.path))
        assert result.returncode == 0, result.stderr

    def down(self) -> None:
        self._podman("kube", "down", str(self.path))

    def url(self, port_name: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[port_name]}{path}"

    def probe_ok(self, kind: str) -> bool:
        get = self.container[kind]["httpGet"]
        try:
            status = requests.get(self.url(get["port"], get["path"]), timeout=1, allow_redirects=False,
                                  headers={"User-Agent": "kube-probe/1.31", "Accept": "*/*"}).status_code
        except requests.RequestException:
            return False
        return 200 <= status < 400

    def process_status(self) -> dict[str, str]:
        name = f"{self.deployment['metadata']['name']}-pod-0-{self.container['name']}"
        pid = self._podman("inspect", "--format", "{{.State.Pid}}", name).stdout.strip()
        status = Path(f"/proc/{pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        fields["ReadonlyRootfs"] = self._podman("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}",
                                                name).stdout.strip()
        return fields

    def _podman(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*PODMAN, *args], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "CONTAINERS_CONF": str(self.conf)})


def assert_played_as_declared(played: Played) -> None:
    wait_for(lambda: played.probe_ok("readinessProbe"), timeout=90, what="the readiness probe")
    assert played.probe_ok("livenessProbe")
    fields = played.process_status()
    assert fields["Uid"].split() == ["65534"] * 4 and int(fields["CapEff"], 16) == 0
    assert fields["NoNewPrivs"].strip() == "1" and fields["ReadonlyRootfs"] == "true"


def names(text: str, metric: str) -> list:
    return [s for f in text_string_to_metric_families(text) for s in f.samples if s.name == metric]


def test_kube_play_kube_state_deployment(image, manifests, tmp_path):
    from testbed.kube import start_cluster

    cluster = start_cluster(tmp_path)
    played = Played(find(manifests, "Deployment", "kube-state-exporter"), image, tmp_path)
    played.container["args"] += list(simulator_apiserver(cluster.sim.port))
    try:
        played.play()
        assert_played_as_declared(played)
        assert requests.get(played.url("telemetry", "/readyz"), timeout=10).status_code == 200
        text = requests.get(played.url("http-metrics", "/metrics"), timeout=30).text
        assert len(names(text, "kube_node_info")) == 2  # the simulator's two nodes
    finally:
        played.down()
        cluster.stop()


def test_kube_play_mysql_deployment(image, manifests, tmp_path):
    require_binary("mariadbd")
    from testbed.mariadb import start_mariadb

    server = start_mariadb(tmp_path / "db")
    played = Played(find(manifests, "Deployment", "mysql-exporter"), image, tmp_path)
    spec = played.deployment["spec"]["template"]["spec"]
    (volume,) = spec["volumes"]
    secret = tmp_path / "secret"
    secret.mkdir(mode=0o755)
    (secret / "my.cnf").write_text(my_cnf(secret_files(manifests, volume["secret"]["secretName"])["my.cnf"],
                                          user="exporter", password="play-pass", host=HOST_LOOPBACK,
                                          port=str(server.port)))
    os.chown(secret / "my.cnf", 0, spec["securityContext"]["fsGroup"])
    os.chmod(secret / "my.cnf", volume["secret"]["defaultMode"])
    volume.pop("secret")
    volume["hostPath"] = {"path": str(secret), "type": "Directory"}
    try:
        server.create_exporter_user("play-pass")
        played.play()
        assert_played_as_declared(played)
        text = requests.get(played.url("metrics", "/metrics"), timeout=30).text
        assert [s.value for s in names(text, "mysql_up")] == [1.0]
    finally:
        played.down()
        server.stop()
