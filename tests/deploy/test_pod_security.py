"""Pod Security in deploy/kubernetes, every build: each namespace enforces, warns and audits a level; every workload's
pod template (as the API server defaults it) meets its namespace's enforced level; everything meets `restricted`
but the node exporter, which alone sits in a `privileged` namespace and breaks `baseline` exactly where it
declares it must (exporter-suite.io/pod-security-exceptions). The checks follow the Pod Security Standards'
documented rules (https://kubernetes.io/docs/concepts/security/pod-security-standards/), named as the
pod-security-admission checks are."""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable

import pytest
import yaml

from tests.deploy.test_kubernetes_manifests import KUSTOMIZE, kubectl

BUILDS = {"all": KUSTOMIZE, "base": KUSTOMIZE / "base", "operator": KUSTOMIZE / "overlays" / "operator",
          "sharded": KUSTOMIZE / "overlays" / "sharded"}
LEVELS = ("privileged", "baseline", "restricted")
EXCEPTIONS = "exporter-suite.io/pod-security-exceptions"
BASELINE_CAPABILITIES = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                         "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes"}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret", "image"}


def containers(pod: dict) -> list[dict]:
    return pod.get("containers", []) + pod.get("initContainers", []) + pod.get("ephemeralContainers", [])


def defaulted(pod: dict) -> dict:
    """What admission sees: on the host network a container port is also a host port (the API server's defaulting
    sets hostPort to containerPort)."""
    pod = copy.deepcopy(pod)
    if pod.get("hostNetwork"):
        for container in containers(pod):
            for port in container.get("ports", []):
                port.setdefault("hostPort", port["containerPort"])
    return pod


def baseline_violations(pod: dict) -> set[str]:
    found = set()
    security = pod.get("securityContext", {})
    contexts = [security] + [c.get("securityContext", {}) for c in containers(pod)]
    if any(pod.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")):
        found.add("hostNamespaces")
    if any(c.get("securityContext", {}).get("privileged") for c in containers(pod)):
        found.add("privileged")
    if any(set(c.get("securityContext", {}).get("capabilities", {}).get("add", [])) - BASELINE_CAPABILITIES
           for c in containers(pod)):
        found.add("capabilities_baseline")
    if any("hostPath" in v for v in pod.get("volumes", [])):
        found.add("hostPathVolumes")
    if any(p.get("hostPort") for c in containers(pod) for p in c.get("ports", [])):
        found.add("hostPorts")
    if any(c.get("appArmorProfile", {}).get("type") == "Unconfined" for c in contexts):
        found.add("appArmorProfile")
    for context in contexts:
        options = context.get("seLinuxOptions", {})
        if options.get("type", "") not in SELINUX_TYPES or options.get("user") or options.get("role"):
            found.add("seLinuxOptions")
    if any(c.get("procMount", "Default") != "Default" for c in contexts):
        found.add("procMount")
    if any(c.get("seccompProfile", {}).get("type") == "Unconfined" for c in contexts):
        found.add("seccompProfile_baseline")
    if any(s["name"] not in SAFE_SYSCTLS for s in security.get("sysctls", [])):
        found.add("sysctls")
    if any(c.get("windowsOptions", {}).get("hostProcess") for c in contexts):
        found.add("windowsHostProcess")
    return found


def restricted_violations(pod: dict) -> set[str]:
    found = baseline_violations(pod)
    security = pod.get("securityContext", {})
    every = containers(pod)
    if any(set(v) - {"name"} - RESTRICTED_VOLUMES for v in pod.get("volumes", [])):
        found.add("restrictedVolumes")
    if any(c.get("securityContext", {}).get("allowPrivilegeEscalation") is not False for c in every):
        found.add("allowPrivilegeEscalation")
    non_root = [c.get("securityContext", {}).get("runAsNonRoot") for c in every]
    if False in non_root or security.get("runAsNonRoot") is False or (
            security.get("runAsNonRoot") is not True and not all(non_root)):
        found.add("runAsNonRoot")
    if any(context.get("runAsUser") == 0 for context in [security] + [c.get("securityContext", {}) for c in every]):
        found.add("runAsUser")
    pod_seccomp = security.get("seccompProfile", {}).get("type")
    for container in every:
        kind = container.get("securityContext", {}).get("seccompProfile", {}).get("type", pod_seccomp)
        if kind not in ("RuntimeDefault", "Localhost"):
            found.add("seccompProfile_restricted")
    for container in every:
        capabilities = container.get("securityContext", {}).get("capabilities", {})
        if "ALL" not in capabilities.get("drop", []) or set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
            found.add("capabilities_restricted")
    return found


VIOLATIONS: dict[str, Callable[[dict], set[str]]] = {"privileged": lambda pod: set(),
                                                     "baseline": baseline_violations,
                                                     "restricted": restricted_violations}


def pod_template(workload: dict) -> dict | None:
    spec = workload.get("spec", {})
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec.get("template", {}).get("spec") if workload["kind"] in (
        "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "Pod") else None


@pytest.fixture(scope="module")
def builds() -> dict[str, list[dict]]:
    out = {}
    for name, directory in BUILDS.items():
        result = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        out[name] = [d for d in yaml.safe_load_all(result.stdout) if d]
    return out


def levels(namespace: dict) -> dict[str, str]:
    labels = namespace["metadata"].get("labels", {})
    return {mode: labels.get(f"pod-security.kubernetes.io/{mode}") for mode in ("enforce", "warn", "audit")}


@pytest.mark.parametrize("build", sorted(BUILDS))
def test_every_namespace_enforces_warns_and_audits_and_only_the_node_exporters_is_not_restricted(builds, build):
    namespaces = {d["metadata"]["name"]: levels(d) for d in builds[build] if d["kind"] == "Namespace"}
    assert namespaces == {
        "monitoring": {"enforce": "restricted", "warn": "restricted", "audit": "restricted"},
        "node-exporter": {"enforce": "privileged", "warn": "baseline", "audit": "baseline"}}
    used = {d["metadata"].get("namespace") for d in builds[build] if d["kind"] not in (
        "Namespace", "ClusterRole", "ClusterRoleBinding")}
    assert used <= set(namespaces), "a namespace without Pod Security labels"


@pytest.mark.parametrize("build", sorted(BUILDS))
def test_every_workload_meets_its_namespace_level_and_all_but_the_node_exporter_restricted(builds, build):
    namespaces = {d["metadata"]["name"]: levels(d)["enforce"] for d in builds[build] if d["kind"] == "Namespace"}
    workloads = [d for d in builds[build] if pod_template(d) is not None]
    assert len(workloads) >= 3
    for workload in workloads:
        name = f'{workload["kind"]}/{workload["metadata"]["name"]}'
        pod = defaulted(pod_template(workload))
        level = namespaces[workload["metadata"]["namespace"]]
        assert not VIOLATIONS[level](pod), name
        declared = workload["metadata"].get("annotations", {}).get(EXCEPTIONS)
        if name == "DaemonSet/node-exporter":
            continue
        assert declared is None and level == "restricted", name
        assert not restricted_violations(pod), (name, restricted_violations(pod))


@pytest.mark.parametrize("build", sorted(BUILDS))
def test_the_node_exporter_breaks_baseline_only_where_it_declares_it_must(builds, build):
    (daemonset,) = [d for d in builds[build] if d["kind"] == "DaemonSet" and d["metadata"]["name"] == "node-exporter"]
    declared = set(daemonset["metadata"]["annotations"][EXCEPTIONS].split(","))
    pod = defaulted(pod_template(daemonset))
    assert baseline_violations(pod) == declared == {"hostNamespaces", "hostPorts", "hostPathVolumes"}
    # Beyond baseline it meets restricted: the only further break is its hostPath volumes, not a restricted type.
    assert restricted_violations(pod) == declared | {"restrictedVolumes"}
    assert daemonset["metadata"]["namespace"] == "node-exporter"


COMPLIANT = {
    "securityContext": {"runAsNonRoot": True, "runAsUser": 65534, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 8080}], "securityContext": {
        "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}],
    "volumes": [{"name": "config", "configMap": {"name": "x"}}, {"name": "tmp", "emptyDir": {}}],
}


def _container(pod: dict) -> dict:
    return pod["containers"][0]["securityContext"]


@pytest.mark.parametrize(("check", "level", "change"), [
    ("hostNamespaces", "baseline", lambda pod: pod.update(hostIPC=True)),
    ("hostPorts", "baseline", lambda pod: pod.update(hostNetwork=True)),  # defaulted: the port becomes a host port
    ("privileged", "baseline", lambda pod: _container(pod).update(privileged=True)),
    ("capabilities_baseline", "baseline", lambda pod: _container(pod)["capabilities"].update(add=["SYS_ADMIN"])),
    ("hostPathVolumes", "baseline", lambda pod: pod["volumes"].append({"name": "h", "hostPath": {"path": "/"}})),
    ("appArmorProfile", "baseline", lambda pod: _container(pod).update(appArmorProfile={"type": "Unconfined"})),
    ("seLinuxOptions", "baseline", lambda pod: _container(pod).update(seLinuxOptions={"type": "spc_t"})),
    ("procMount", "baseline", lambda pod: _container(pod).update(procMount="Unmasked")),
    ("seccompProfile_baseline", "baseline", lambda pod: pod["securityContext"].update(
        seccompProfile={"type": "Unconfined"})),
    ("sysctls", "baseline", lambda pod: pod["securityContext"].update(sysctls=[{"name": "kernel.msgmax",
                                                                               "value": "1"}])),
    ("restrictedVolumes", "restricted", lambda pod: pod["volumes"].append({"name": "n", "nfs": {"server": "s",
                                                                                                "path": "/"}})),
    ("allowPrivilegeEscalation", "restricted", lambda pod: _container(pod).pop("allowPrivilegeEscalation")),
    ("runAsNonRoot", "restricted", lambda pod: pod["securityContext"].pop("runAsNonRoot")),
    ("runAsUser", "restricted", lambda pod: _container(pod).update(runAsUser=0)),
    ("seccompProfile_restricted", "restricted", lambda pod: pod["securityContext"].pop("seccompProfile")),
    ("capabilities_restricted", "restricted", lambda pod: _container(pod)["capabilities"].update(drop=["NET_RAW"])),
    ("capabilities_restricted", "restricted", lambda pod: _container(pod)["capabilities"].update(add=["CHOWN"])),
])
def test_each_rule_catches_what_it_forbids(check, level, change):
    """The checker is not vacuous: a compliant pod passes restricted, and each change breaks exactly its rule at
    its level (a restricted rule leaves baseline alone)."""
    assert not restricted_violations(defaulted(COMPLIANT))
    pod = copy.deepcopy(COMPLIANT)
    change(pod)
    pod = defaulted(pod)
    assert check in VIOLATIONS[level](pod)
    if level == "restricted":
        assert not baseline_violations(pod)
