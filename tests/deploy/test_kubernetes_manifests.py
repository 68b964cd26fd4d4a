"""deploy/kubernetes: built with `kubectl kustomize`, every manifest valid against the Kubernetes schemas, and
the properties the suite promises: least privilege, non-root, read-only root filesystems, limits, probes."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import yaml

from tests.conftest import IN_CI, REPO

KUSTOMIZE_DIR = REPO / "deploy" / "kubernetes"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[str, list[dict]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        if IN_CI:
            pytest.fail("kubectl is not installed")
        pytest.skip("kubectl is not installed")
    text = subprocess.run([kubectl, "kustomize", str(KUSTOMIZE_DIR)], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    path = tmp_path_factory.mktemp("kustomize") / "built.yaml"
    path.write_text(text)
    return str(path), [doc for doc in yaml.safe_load_all(text) if doc]


def test_every_manifest_validates_against_the_kubernetes_schemas(built):
    path, docs = built
    result = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", path],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    kinds = sorted(doc["kind"] for doc in docs)
    assert kinds.count("Deployment") == 2 and "DaemonSet" in kinds and "ClusterRole" in kinds


def by_kind(docs, kind, name=None):
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def test_cluster_role_only_lists_and_watches(built):
    _, docs = built
    (role,) = by_kind(docs, "ClusterRole")
    assert all(set(rule["verbs"]) == {"list", "watch"} for rule in role["rules"])
    granted = {r for rule in role["rules"] for r in rule["resources"]}
    from kube_state_exporter.resources import RESOURCES
    assert granted == set(RESOURCES)  # exactly what the exporter watches, nothing more


def test_workloads_are_non_root_read_only_bounded_and_probed(built):
    _, docs = built
    workloads = by_kind(docs, "Deployment") + by_kind(docs, "DaemonSet")
    assert len(workloads) == 3
    for workload in workloads:
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert container["image"].startswith("registry.example.com/exporter-suite:")


def test_node_exporter_daemonset_sees_the_host(built):
    _, docs = built
    (daemonset,) = by_kind(docs, "DaemonSet")
    pod = daemonset["spec"]["template"]["spec"]
    assert pod["hostPID"] is True
    assert pod["tolerations"] == [{"operator": "Exists"}]
    mounts = {m["mountPath"]: m for m in pod["containers"][0]["volumeMounts"]}
    assert set(mounts) == {"/host/proc", "/host/sys", "/host/root"}
    assert all(m["readOnly"] for m in mounts.values())
    args = pod["containers"][0]["args"]
    assert "--path.rootfs=/host/root" in args and "--path.procfs=/host/proc" in args
    from node_exporter.cli import main  # the flags the manifest passes are real flags
    with pytest.raises(SystemExit) as exited:
        main([*args, "--web.listen-address=127.0.0.1:0", "--version"])
    assert exited.value.code == 0


def test_mysql_credentials_come_from_a_secret_file(built):
    _, docs = built
    (deployment,) = by_kind(docs, "Deployment", "mysql-exporter")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert "env" not in container
    assert not any("password" in arg.lower() for arg in container["args"])
    assert "--config.my-cnf=/etc/mysql-exporter/my.cnf" in container["args"]
    (secret,) = by_kind(docs, "Secret", "mysql-exporter")
    assert "[client]" in secret["stringData"]["my.cnf"]


def test_dockerfile_runs_as_nobody_and_installs_the_suite():
    dockerfile = (REPO / "deploy" / "image" / "Dockerfile").read_text()
    assert "USER 65534:65534" in dockerfile
    assert "PYTHONDONTWRITEBYTECODE=1" in dockerfile
    for package in ("exporter_toolkit", "node_exporter", "kube_state_exporter", "mysql_exporter"):
        assert f"COPY {package} ./{package}" in dockerfile
