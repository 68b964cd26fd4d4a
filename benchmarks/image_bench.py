"""The suite's image run as deploy/kubernetes runs it (podman standing in for the kubelet), and its benchmark:
per daemon, the image size, the time from `podman run` to the first successful scrape, and the RSS of the
daemon in its container.

    python -m benchmarks.image_bench [--json]

Targets: image <= 150 MB; first scrape of the node exporter <= 2 s. The image is built (scripts/image) if
missing. `run_as_manifest` is what tests/integration/test_image.py runs the daemons with.

What is taken from the rendered `kubectl kustomize deploy/kubernetes`: command, args, runAsUser/runAsGroup,
fsGroup, readOnlyRootFilesystem, capabilities, allowPrivilegeEscalation, hostNetwork, hostPID, volumes and
their mounts (hostPath, secret with its defaultMode, the service account token), ports and probes. What the
test substitutes, and how: the image (ours); the Secret's contents and the service account token (the test's
server and credentials); ports: a pod with its own network gets it from slirp4netns (the host's loopback at
10.0.2.2), its containerPorts published on free loopback ports; a hostNetwork pod's containerPorts are
replaced by free ports wherever its args name them (`:9100`, `=9100`), named probe ports following.
"""

from __future__ import annotations

import argparse
import configparser
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

from testbed.harness import free_port, rss_bytes, wait_for

REPO = Path(__file__).resolve().parent.parent
# This host: crun refuses its hybrid cgroups; podman's default ulimits exceed the hard limits.
PODMAN = ("podman", "--runtime", "runc")
LIMITS = ("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024")
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
HOST_LOOPBACK = "10.0.2.2"  # the host's 127.0.0.1 as a slirp4netns network with allow_host_loopback sees it
PROBE_HEADERS = {"User-Agent": "kube-probe/1.31", "Accept": "*/*"}  # what the kubelet sends
SIZE_TARGET_MB = 150.0
NODE_FIRST_SCRAPE_TARGET_S = 2.0


def build_image() -> str:
    """scripts/image (a no-op when nothing changed); the image reference it prints last."""
    result = subprocess.run([str(REPO / "scripts" / "image")], cwd=REPO, capture_output=True, text=True,
                            timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"scripts/image failed:\n{result.stderr[-4000:]}")
    return result.stdout.strip().splitlines()[-1]


def image_size(image: str) -> int:
    out = subprocess.run([*PODMAN, "image", "inspect", "--format", "{{.Size}}", image], capture_output=True,
                         text=True, check=True).stdout
    return int(out.strip())


def rendered_manifests() -> list[dict]:
    out = subprocess.run(["kubectl", "kustomize", str(REPO / "deploy" / "kubernetes")], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def find(docs: list[dict], kind: str, name: str) -> dict:
    (doc,) = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def pod_spec(docs: list[dict], kind: str, name: str) -> dict:
    return find(docs, kind, name)["spec"]["template"]["spec"]


def secret_files(docs: list[dict], name: str) -> dict[str, str]:
    secret = find(docs, "Secret", name)
    return dict(secret.get("stringData") or {})


def my_cnf(template: str, **client: str) -> str:
    """The Secret's my.cnf with its [client] keys given new values (the test's server and credentials)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(template)
    for key, value in client.items():
        parser["client"][key] = value
    out = io.StringIO()
    parser.write(out)
    return out.getvalue()


@dataclass
class RunningContainer:
    """A container started by run_as_manifest: its spec, its container id, where its ports are reachable."""

    spec: dict
    cid: str
    ports: dict[int, int]  # containerPort -> port on the host's loopback
    argv: list[str]
    workdir: tempfile.TemporaryDirectory = field(repr=False)

    def host_port(self, port: int | str) -> int:
        if isinstance(port, str):
            (port,) = [p["containerPort"] for p in self.spec.get("ports", []) if p.get("name") == port]
        return self.ports[port]

    def url(self, port: int | str, path: str) -> str:
        return f"http://127.0.0.1:{self.host_port(port)}{path}"

    def probe(self, kind: str) -> bool:
        """One probe (livenessProbe, readinessProbe) as the kubelet asks it: success is 200 <= status < 400."""
        get = self.spec[kind]["httpGet"]
        scheme = get.get("scheme", "HTTP").lower()
        headers = {**PROBE_HEADERS, **{h["name"]: h["value"] for h in get.get("httpHeaders", [])}}
        url = f"{scheme}://127.0.0.1:{self.host_port(get['port'])}{get.get('path', '/')}"
        try:
            status = requests.get(url, headers=headers, timeout=self.spec[kind].get("timeoutSeconds", 1),
                                  allow_redirects=False).status_code
        except requests.RequestException:
            return False
        return 200 <= status < 400

    def pid(self) -> int:
        out = self._podman("inspect", "--format", "{{.State.Pid}}", self.cid)
        return int(out.strip())

    def running(self) -> bool:
        return self._podman("inspect", "--format", "{{.State.Running}}", self.cid).strip() == "true"

    def logs(self) -> str:
        result = subprocess.run([*PODMAN, "logs", self.cid], capture_output=True, text=True, timeout=60)
        return result.stdout + result.stderr

    def stop(self) -> None:
        subprocess.run([*PODMAN, "rm", "--force", "--time", "5", self.cid], capture_output=True, timeout=120)
        self.workdir.cleanup()

    def _podman(self, *args: str) -> str:
        return subprocess.run([*PODMAN, *args], capture_output=True, text=True, check=True, timeout=60).stdout


def _security(pod: dict, container: dict) -> list[str]:
    pod_ctx, ctx = pod.get("securityContext", {}), container.get("securityContext", {})
    user, group = ctx.get("runAsUser", pod_ctx.get("runAsUser")), ctx.get("runAsGroup", pod_ctx.get("runAsGroup"))
    args: list[str] = []
    if user is not None:
        args += ["--user", f"{user}:{group}" if group is not None else str(user)]
    if "fsGroup" in pod_ctx:
        args += ["--group-add", str(pod_ctx["fsGroup"])]
    if ctx.get("readOnlyRootFilesystem"):
        args += ["--read-only", "--read-only-tmpfs=false"]  # the kubelet adds no tmpfs
    capabilities = ctx.get("capabilities", {})
    args += [f"--cap-drop={cap.lower()}" for cap in capabilities.get("drop", [])]
    args += [f"--cap-add={cap.lower()}" for cap in capabilities.get("add", [])]
    if ctx.get("allowPrivilegeEscalation") is False:
        args += ["--security-opt", "no-new-privileges"]
    seccomp = ctx.get("seccompProfile", pod_ctx.get("seccompProfile", {})).get("type", "RuntimeDefault")
    if seccomp == "Unconfined":
        args += ["--security-opt", "seccomp=unconfined"]  # RuntimeDefault: podman's default profile
    return args


def _write_volume(directory: Path, files: dict[str, str], mode: int, group: int | None) -> None:
    """A secret or projected volume as the kubelet writes it: the files with the volume's mode, group fsGroup."""
    directory.mkdir(mode=0o755)
    for name, content in files.items():
        path = directory / name
        path.write_text(content)
        os.chmod(path, mode)
        if group is not None:
            os.chown(path, 0, group)


def run_as_manifest(image: str, pod: dict, secrets: dict[str, dict[str, str]] | None = None,
                    service_account: dict[str, str] | None = None, env: dict[str, str] | None = None,
                    extra_args: tuple[str, ...] = (), name_prefix: str = "exporter-suite-test") -> RunningContainer:
    """Start the pod's first container with podman as the manifest says (see the module's docstring).

    secrets: secret name -> its files; service_account: the files of the token volume (token, ca.crt,
    namespace), mounted where the kubelet mounts them unless the pod opts out; extra_args: appended to the
    manifest's (only what a test cannot reach otherwise, e.g. an http API server)."""
    container = pod["containers"][0]
    work = tempfile.TemporaryDirectory(prefix="image-pod-")
    root = Path(work.name)
    os.chmod(root, 0o755)
    fs_group = pod.get("securityContext", {}).get("fsGroup")
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    mounts: list[str] = []
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        if "hostPath" in volume:
            source = volume["hostPath"]["path"]
        elif "secret" in volume:
            source = str(root / mount["name"])
            _write_volume(Path(source), (secrets or {})[volume["secret"]["secretName"]],
                          volume["secret"].get("defaultMode", 0o644), fs_group)
        else:
            raise ValueError(f"volume {mount['name']}: only hostPath and secret volumes are run here")
        options = ["ro" if mount.get("readOnly") else "rw"]
        propagation = {"HostToContainer": "rslave", "Bidirectional": "rshared"}.get(mount.get("mountPropagation"))
        options += [propagation] if propagation else []
        mounts += ["--volume", f"{source}:{mount['mountPath']}:{','.join(options)}"]
    if pod.get("automountServiceAccountToken") is not False and pod.get("serviceAccountName"):
        if service_account is None:
            raise ValueError("the pod mounts a service account token: pass its files")
        source = root / "serviceaccount"
        _write_volume(source, service_account, 0o644, fs_group)
        mounts += ["--volume", f"{source}:{SERVICE_ACCOUNT_DIR}:ro"]

    args = [*container.get("args", []), *extra_args]
    declared = [p["containerPort"] for p in container.get("ports", [])]
    ports = {port: free_port() for port in declared}
    if pod.get("hostNetwork"):
        network = ["--network", "host"]
        for port, new in ports.items():
            args = [re.sub(rf"(?<=[:=]){port}\b", str(new), arg) for arg in args]
    else:
        network = ["--network", "slirp4netns:allow_host_loopback=true"]
        network += [arg for port, new in ports.items() for arg in ("--publish", f"127.0.0.1:{new}:{port}")]
    if pod.get("hostPID"):
        network += ["--pid", "host"]
    environment = {e["name"]: e["value"] for e in container.get("env", []) if "value" in e} | (env or {})
    name = f"{name_prefix}-{container['name']}-{os.getpid()}-{free_port()}"
    argv = [*PODMAN, "run", "--detach", "--name", name, *LIMITS, *_security(pod, container), *network, *mounts,
            *(f"--env={key}={value}" for key, value in environment.items()),
            "--entrypoint", json.dumps(container["command"]), image, *args]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        work.cleanup()
        raise RuntimeError(f"podman run failed: {result.stderr.strip()}\n{' '.join(argv)}")
    return RunningContainer(container, result.stdout.strip().splitlines()[-1], ports, argv, work)


def first_scrape(running: RunningContainer, port: int | str, ready=lambda body: True,
                 timeout: float = 60) -> str:
    """Poll the metrics endpoint until it answers 200 with a body `ready` accepts; the body."""
    def scrape() -> str | None:
        if not running.running():
            raise RuntimeError(f"the container exited; its log:\n{running.logs()}")
        response = requests.get(running.url(port, "/metrics"), timeout=5)
        return response.text if response.status_code == 200 and ready(response.text) else None

    try:
        return wait_for(scrape, timeout, interval=0.02, what="the first scrape")
    except TimeoutError as exc:
        raise RuntimeError(f"{exc}; the container's log:\n{running.logs()}") from None


def _measure(start, port: int | str, ready=lambda body: True) -> dict:
    """Seconds from `podman run` to the first successful scrape; the daemon's RSS after a few scrapes."""
    began = time.monotonic()
    running = start()
    try:
        first_scrape(running, port, ready)
        seconds = time.monotonic() - began
        for _ in range(3):
            requests.get(running.url(port, "/metrics"), timeout=30)
        return {"first_scrape_s": round(seconds, 2), "rss_mb": round(rss_bytes(running.pid()) / 2**20, 1)}
    finally:
        running.stop()


def run(image: str) -> dict:
    """Each daemon started from the image as its manifest says, against the test servers (the simulator,
    a throw-away MariaDB) where it needs one."""
    from testbed.kube import start_cluster
    from testbed.mariadb import start_mariadb

    docs = rendered_manifests()
    results: dict = {"image": image, "size_mb": round(image_size(image) / 1e6, 1)}
    results["node-exporter"] = _measure(lambda: run_as_manifest(image, pod_spec(docs, "DaemonSet", "node-exporter")),
                                        "metrics")
    with tempfile.TemporaryDirectory(prefix="image-bench-") as workdir:
        cluster = start_cluster(Path(workdir))
        try:
            kube = pod_spec(docs, "Deployment", "kube-state-exporter")
            results["kube-state-exporter"] = _measure(
                lambda: run_as_manifest(image, kube, service_account=service_account_files(),
                                        env=service_account_env(cluster.sim.port),
                                        extra_args=simulator_apiserver(cluster.sim.port)), "http-metrics",
                ready=lambda body: "kube_node_info{" in body)
        finally:
            cluster.stop()
        server = start_mariadb(Path(workdir) / "mariadb")
        try:
            server.create_exporter_user("bench-pass")
            secret = {"mysql-exporter": {"my.cnf": my_cnf(secret_files(docs, "mysql-exporter")["my.cnf"],
                                                          user="exporter", password="bench-pass",
                                                          host=HOST_LOOPBACK, port=str(server.port))}}
            results["mysql-exporter"] = _measure(
                lambda: run_as_manifest(image, pod_spec(docs, "Deployment", "mysql-exporter"), secrets=secret),
                "metrics", ready=lambda body: "\nmysql_up 1" in body)
        finally:
            server.stop()
    results["targets"] = {
        f"size_mb<={SIZE_TARGET_MB}": results["size_mb"] <= SIZE_TARGET_MB,
        f"node first_scrape_s<={NODE_FIRST_SCRAPE_TARGET_S}":
            results["node-exporter"]["first_scrape_s"] <= NODE_FIRST_SCRAPE_TARGET_S,
    }
    return results


def service_account_files() -> dict[str, str]:
    """The token volume's files: the simulator takes any bearer token; ca.crt is read only for https."""
    return {"token": "kube-sim-token", "namespace": "monitoring", "ca.crt": ""}


def service_account_env(api_port: int) -> dict[str, str]:
    """What the kubelet puts in every pod's environment for the API server's Service, here the simulator (on
    the host's loopback as the pod's network sees it)."""
    return {"KUBERNETES_SERVICE_HOST": HOST_LOOPBACK, "KUBERNETES_SERVICE_PORT": str(api_port)}


def simulator_apiserver(api_port: int) -> tuple[str, ...]:
    """The one flag added to the Deployment's args: the in-cluster configuration (the token read from the
    service account volume) names https://$KUBERNETES_SERVICE_HOST, the simulator speaks http."""
    return (f"--apiserver=http://{HOST_LOOPBACK}:{api_port}",)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    options = parser.parse_args()
    results = run(build_image())
    if options.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{results['image']}: {results['size_mb']} MB")
    for daemon in ("node-exporter", "kube-state-exporter", "mysql-exporter"):
        row = results[daemon]
        print(f"{daemon:22} first scrape {row['first_scrape_s']:5.2f} s   RSS {row['rss_mb']:6.1f} MB")
    for target, met in results["targets"].items():
        print(f"{target}: {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
