"""deploy/kubernetes: built with `kubectl kustomize`, every manifest valid against the Kubernetes schemas (and the
Prometheus Operator's CRD schemas for its kinds), and the properties the suite promises: least privilege,
non-root, read-only root filesystems, limits, probes, network isolation, HA, secrets only in Secrets, and the
ConfigMaps carrying exactly the files of deploy/prometheus, deploy/alertmanager and deploy/grafana."""

from __future__ import annotations

import configparser
import copy
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import jsonschema
import pytest
import yaml

from tests.conftest import IN_CI, REPO

DEPLOY = REPO / "deploy"
KUSTOMIZE = DEPLOY / "kubernetes"
BUILDS = {"all": KUSTOMIZE, "base": KUSTOMIZE / "base", "operator": KUSTOMIZE / "overlays" / "operator"}
CRDS = REPO.parent / "shared" / "reference" / "prometheus-operator-crds"
WORKLOAD_KINDS = ("Deployment", "DaemonSet", "StatefulSet")
# kube-state-metrics v2.20's default `--resources` (pkg/options/resource.go; `kube-state-metrics --help`), by API
# group. `endpoints` is opt-in there (EndpointSlices replaced it).
KSM_DEFAULT_RESOURCES = {
    "": {"configmaps", "limitranges", "namespaces", "nodes", "persistentvolumeclaims", "persistentvolumes", "pods",
         "replicationcontrollers", "resourcequotas", "secrets", "services"},
    "apps": {"daemonsets", "deployments", "replicasets", "statefulsets"},
    "batch": {"cronjobs", "jobs"},
    "autoscaling": {"horizontalpodautoscalers"},
    "discovery.k8s.io": {"endpointslices"},
    "networking.k8s.io": {"ingresses", "networkpolicies"},
    "coordination.k8s.io": {"leases"},
    "admissionregistration.k8s.io": {"mutatingadmissionpolicies", "mutatingadmissionpolicybindings",
                                     "mutatingwebhookconfigurations", "validatingadmissionpolicies",
                                     "validatingadmissionpolicybindings", "validatingwebhookconfigurations"},
    "policy": {"poddisruptionbudgets"},
    "storage.k8s.io": {"storageclasses", "volumeattachments"},
    "certificates.k8s.io": {"certificatesigningrequests"},
}


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        if IN_CI:
            pytest.fail("kubectl is not installed")
        pytest.skip("kubectl is not installed")
    return path


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, tuple[Path, list[dict]]]:
    """Each kustomization built by plain `kubectl kustomize` (default load restrictor): path and documents."""
    out = {}
    for name, directory in BUILDS.items():
        result = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        path = tmp_path_factory.mktemp("kustomize") / f"{name}.yaml"
        path.write_text(result.stdout)
        out[name] = (path, [doc for doc in yaml.safe_load_all(result.stdout) if doc])
    return out


@pytest.fixture(scope="module")
def docs(builds) -> list[dict]:
    return builds["all"][1]


def by_kind(docs, kind, name=None):
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def one(docs, kind, name):
    (doc,) = by_kind(docs, kind, name)
    return doc


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def container_args(container: dict) -> dict[str, list[str]]:
    """--flag=value arguments by flag (a flag may repeat)."""
    out: dict[str, list[str]] = {}
    for arg in container.get("args", []):
        flag, _, value = arg.partition("=")
        out.setdefault(flag, []).append(value)
    return out


def mounted_configmap(workload: dict, path: str) -> tuple[str, str | None]:
    """(ConfigMap name, subPath) of the volume mounted at `path` in the workload's first container."""
    spec = pod_spec(workload)
    volumes = {v["name"]: v for v in spec["volumes"]}
    for mount in spec["containers"][0]["volumeMounts"]:
        if mount["mountPath"] == path:
            return volumes[mount["name"]]["configMap"]["name"], mount.get("subPath")
    raise AssertionError(f"nothing mounted at {path} in {workload['metadata']['name']}")


def secret_mount_paths(workload: dict) -> dict[str, str]:
    """Mount path -> Secret name for every Secret volume of the workload's first container."""
    spec = pod_spec(workload)
    secrets = {v["name"]: v["secret"]["secretName"] for v in spec["volumes"] if "secret" in v}
    return {m["mountPath"]: secrets[m["name"]] for m in spec["containers"][0]["volumeMounts"] if m["name"] in secrets}


# --- schemas ---------------------------------------------------------------------------------------------------

def strict(schema: dict) -> dict:
    """A CRD's OpenAPI schema that rejects unknown fields (the API server would silently prune them: a typo such as
    `honorLabel` would be lost without a word), as kubernetes-validate --strict does for built-in kinds."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node \
                    and not node.get("x-kubernetes-preserve-unknown-fields"):
                node["additionalProperties"] = False
            if isinstance(node.get("pattern"), str) and "(?i)" in node["pattern"]:
                # Go's regexp takes inline flags anywhere, Python's only at the start: same meaning.
                node["pattern"] = "(?i)" + node["pattern"].replace("(?i)", "")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(schema)
    schema["properties"]["metadata"] = {"type": "object"}  # ObjectMeta is validated by the API server, not the CRD
    return schema


@pytest.fixture(scope="module")
def crd_schemas() -> dict[tuple[str, str], dict]:
    if not CRDS.is_dir():
        pytest.fail(f"{CRDS} is missing: the Prometheus Operator CRD schemas")
    schemas = {}
    for path in CRDS.glob("*.yaml"):
        crd = yaml.safe_load(path.read_text())
        for version in crd["spec"]["versions"]:
            api_version = f"{crd['spec']['group']}/{version['name']}"
            schemas[(api_version, crd["spec"]["names"]["kind"])] = strict(version["schema"]["openAPIV3Schema"])
    return schemas


def validate_custom(doc: dict, schemas: dict) -> None:
    """OpenAPI v3 schemas of CRDs are JSON Schema draft 4 plus Kubernetes extensions (ignored here)."""
    jsonschema.Draft4Validator(schemas[(doc["apiVersion"], doc["kind"])]).validate(doc)


@pytest.mark.parametrize("build", sorted(BUILDS))
def test_every_manifest_validates_against_its_schema(builds, crd_schemas, build, tmp_path):
    _, documents = builds[build]
    builtin = [d for d in documents if (d["apiVersion"], d["kind"]) not in crd_schemas]
    custom = [d for d in documents if (d["apiVersion"], d["kind"]) in crd_schemas]
    path = tmp_path / "builtin.yaml"
    path.write_text(yaml.safe_dump_all(builtin))
    result = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", str(path)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    for doc in custom:
        validate_custom(doc, crd_schemas)
    assert bool(custom) == (build == "operator")
    assert_namespaces(documents)


def assert_namespaces(documents: list[dict]) -> None:
    """Everything namespaced is in `monitoring` but the node exporter (and Prometheus' right to discover it), in
    `node-exporter`: the one namespace whose Pod Security is not `restricted`."""
    namespaced = [d for d in documents if d["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding")]
    assert {d["metadata"].get("namespace") for d in namespaced} == {"monitoring", "node-exporter"}
    apart = {(d["kind"], d["metadata"]["name"]) for d in namespaced if d["metadata"]["namespace"] == "node-exporter"}
    assert apart - {("Role", "prometheus"), ("RoleBinding", "prometheus")} == {("DaemonSet", "node-exporter"),
                                                                              ("Service", "node-exporter")}


def test_crd_schema_validation_is_strict(crd_schemas):
    """The CRD check would catch a misspelt field and a wrong type, not only missing ones."""
    good = {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "x"},
            "spec": {"selector": {}, "endpoints": [{"port": "web", "honorLabels": True}]}}
    validate_custom(good, crd_schemas)
    typo = copy.deepcopy(good)
    typo["spec"]["endpoints"][0]["honorLabel"] = True
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(typo, crd_schemas)
    wrong_type = copy.deepcopy(good)
    wrong_type["spec"]["endpoints"][0]["honorLabels"] = "yes"
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(wrong_type, crd_schemas)


def test_the_whole_stack_is_in_one_build(docs):
    workloads = {(d["kind"], d["metadata"]["name"]) for d in docs if d["kind"] in WORKLOAD_KINDS}
    assert workloads == {("DaemonSet", "node-exporter"), ("Deployment", "kube-state-exporter"),
                         ("Deployment", "mysql-exporter"), ("Deployment", "grafana"),
                         ("StatefulSet", "prometheus"), ("StatefulSet", "alertmanager")}


# --- every container --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("build", sorted(BUILDS))
def test_every_container_is_non_root_read_only_bounded_and_probed(builds, build):
    workloads = [d for d in builds[build][1] if d["kind"] in WORKLOAD_KINDS]
    assert workloads
    for workload in workloads:
        name = workload["metadata"]["name"]
        pod = pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0, name
        assert pod["securityContext"].get("runAsGroup", 0) != 0, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        for container in pod["containers"] + pod.get("initContainers", []):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"] and "add" not in security["capabilities"], name
            assert "privileged" not in security or security["privileged"] is False, name
            resources = container["resources"]
            assert resources["requests"]["cpu"] and resources["requests"]["memory"], name
            assert resources["limits"]["memory"], name
            ports = {p["name"] for p in container.get("ports", [])} | {p["containerPort"]
                                                                       for p in container.get("ports", [])}
            for probe in ("livenessProbe", "readinessProbe"):
                assert container[probe]["httpGet"]["path"].startswith("/"), (name, probe)
                assert container[probe]["httpGet"]["port"] in ports, (name, probe)
            image = container["image"]
            assert re.fullmatch(r"[\w.-]+(:\d+)?/[\w./-]+:[\w.-]+", image) and not image.endswith(":latest"), image


def test_the_exporters_probe_healthz_and_readyz(docs):
    for kind, name in (("DaemonSet", "node-exporter"), ("Deployment", "kube-state-exporter"),
                       ("Deployment", "mysql-exporter")):
        container = pod_spec(one(docs, kind, name))["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["image"].startswith("registry.example.com/exporter-suite:")


def test_writable_paths_are_volumes(docs):
    """With a read-only root filesystem, every path a server writes must be a volume."""
    writes = {"prometheus": ("--storage.tsdb.path", "data"), "alertmanager": ("--storage.path", "data")}
    for name, (flag, volume) in writes.items():
        workload = one(docs, "StatefulSet", name)
        container = pod_spec(workload)["containers"][0]
        (path,) = container_args(container)[flag]
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert mounts[path] == volume
    grafana = pod_spec(one(docs, "Deployment", "grafana"))["containers"][0]
    env = {e["name"]: e.get("value") for e in grafana["env"]}
    mounts = {m["mountPath"] for m in grafana["volumeMounts"]}
    assert env["GF_PATHS_DATA"] in mounts and "/tmp" in mounts


# --- RBAC -------------------------------------------------------------------------------------------------------

def grants(role: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for rule in role["rules"]:
        for group in rule["apiGroups"]:
            out.setdefault(group, set()).update(rule["resources"])
    return out


def test_kube_state_role_lists_and_watches_every_default_ksm_resource_and_nothing_else(docs):
    role = one(docs, "ClusterRole", "kube-state-exporter")
    assert all(rule["verbs"] == ["list", "watch"] for rule in role["rules"])
    assert all("resourceNames" not in rule and "nonResourceURLs" not in rule for rule in role["rules"])
    assert grants(role) == KSM_DEFAULT_RESOURCES
    assert sum(map(len, KSM_DEFAULT_RESOURCES.values())) == 32
    binding = one(docs, "ClusterRoleBinding", "kube-state-exporter")
    assert binding["roleRef"]["name"] == "kube-state-exporter"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "kube-state-exporter",
                                    "namespace": "monitoring"}]


def test_kube_state_role_covers_what_our_exporter_watches_by_default(docs):
    from kube_state_exporter.resources import DEFAULT_RESOURCES, RESOURCES

    granted = grants(one(docs, "ClusterRole", "kube-state-exporter"))
    missing = [name for name in DEFAULT_RESOURCES if name not in granted.get(RESOURCES[name].group, set())]
    assert not missing, f"the exporter watches these by default but may not: {missing}"


def test_prometheus_may_read_what_kubernetes_sd_discovers_and_nothing_more(docs):
    """Derived from prometheus.yml: the endpoints role reads endpoints, services and pods of the namespaces it
    names (a Role there), the pod role reads pods of every namespace (a ClusterRole)."""
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    needs_cluster: set[str] = set()
    needs_namespaced: dict[str, set[str]] = {}
    sections = [*config["scrape_configs"], *config["alerting"]["alertmanagers"]]
    for sd in (sd for section in sections for sd in section.get("kubernetes_sd_configs", [])):
        resources = {"endpoints": {"endpoints", "services", "pods"}, "pod": {"pods"}}[sd["role"]]
        namespaces = sd.get("namespaces", {}).get("names")
        if namespaces:
            for namespace in namespaces:
                needs_namespaced.setdefault(namespace, set()).update(resources)
        else:
            needs_cluster |= resources
    subject = {"kind": "ServiceAccount", "name": "prometheus", "namespace": "monitoring"}
    cluster_roles = [one(docs, "ClusterRole", b["roleRef"]["name"]) for b in by_kind(docs, "ClusterRoleBinding")
                     if subject in b["subjects"]]
    roles: dict[str, list[dict]] = {}  # namespace -> the Roles bound there
    for binding in by_kind(docs, "RoleBinding"):
        if subject in binding["subjects"]:
            namespace = binding["metadata"]["namespace"]
            (role,) = [r for r in by_kind(docs, "Role", binding["roleRef"]["name"])
                       if r["metadata"]["namespace"] == namespace]
            roles.setdefault(namespace, []).append(role)
    for role in cluster_roles + [r for bound in roles.values() for r in bound]:
        assert all(rule["verbs"] == ["list", "watch"] and rule["apiGroups"] == [""] for rule in role["rules"])
    assert {r for role in cluster_roles for r in grants(role)[""]} == needs_cluster
    assert set(needs_namespaced) == {"monitoring", "node-exporter"} == set(roles)
    for namespace, needs in needs_namespaced.items():
        assert {r for role in roles[namespace] for r in grants(role)[""]} == needs, namespace
    statefulset = one(docs, "StatefulSet", "prometheus")
    assert pod_spec(statefulset)["serviceAccountName"] == "prometheus"
    others = [d for d in docs if d["kind"] in WORKLOAD_KINDS and d["metadata"]["name"] != "kube-state-exporter"
              and d["metadata"]["name"] != "prometheus"]
    assert all(pod_spec(d).get("automountServiceAccountToken") is False for d in others), "no API access needed"


# --- Prometheus ---------------------------------------------------------------------------------------------------

def configmap_data(docs, name: str) -> dict[str, str]:
    return one(docs, "ConfigMap", name).get("data", {})


def test_prometheus_pair_labels_its_replicas_and_keeps_data(docs):
    statefulset = one(docs, "StatefulSet", "prometheus")
    assert statefulset["spec"]["replicas"] == 2
    assert one(docs, "Service", statefulset["spec"]["serviceName"])["spec"]["clusterIP"] == "None"
    container = pod_spec(statefulset)["containers"][0]
    (config_path,) = container_args(container)["--config.file"]
    name, sub_path = mounted_configmap(statefulset, config_path)
    config_text = configmap_data(docs, name)[sub_path]
    assert config_text == (DEPLOY / "prometheus" / "prometheus.yml").read_text()
    config = yaml.safe_load(config_text)
    # replica: the pod's name, through the environment (Prometheus 3 expands ${VAR} in external labels).
    variable = re.fullmatch(r"\$\{(\w+)\}", config["global"]["external_labels"]["replica"]).group(1)
    (env,) = [e for e in container["env"] if e["name"] == variable]
    assert env["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert re.fullmatch(r"v3\.\d+\.\d+", container["image"].rsplit(":", 1)[1]), "env expansion needs Prometheus 3"
    # ...and alerts do not carry it, or Alertmanager would see two alerts.
    assert {"action": "labeldrop", "regex": "replica"} in config["alerting"]["alert_relabel_configs"]
    # Persistent volumes, one per replica, where the TSDB lives.
    (claim,) = statefulset["spec"]["volumeClaimTemplates"]
    (tsdb,) = container_args(container)["--storage.tsdb.path"]
    assert {m["mountPath"]: m["name"] for m in container["volumeMounts"]}[tsdb] == claim["metadata"]["name"]
    assert claim["spec"]["resources"]["requests"]["storage"]


def test_prometheus_rules_configmap_holds_every_rules_file(docs):
    statefulset = one(docs, "StatefulSet", "prometheus")
    (config_path,) = container_args(pod_spec(statefulset)["containers"][0])["--config.file"]
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    (pattern,) = config["rule_files"]
    rules_dir = str(PurePosixPath(config_path).parent / PurePosixPath(pattern).parent)
    name, sub_path = mounted_configmap(statefulset, rules_dir)
    assert sub_path is None
    data = configmap_data(docs, name)
    on_disk = {p.name: p.read_text() for p in (DEPLOY / "prometheus" / "rules").glob(PurePosixPath(pattern).name)}
    assert set(data) == set(on_disk), "stale: run python deploy/kubernetes/sync.py"
    assert data == on_disk


# --- Alertmanager -----------------------------------------------------------------------------------------------

def test_alertmanagers_form_a_gossip_cluster_through_a_headless_service(docs):
    statefulset = one(docs, "StatefulSet", "alertmanager")
    replicas = statefulset["spec"]["replicas"]
    assert replicas == 3
    governing = one(docs, "Service", statefulset["spec"]["serviceName"])
    assert governing["spec"]["clusterIP"] == "None" and governing["spec"]["publishNotReadyAddresses"] is True
    container = pod_spec(statefulset)["containers"][0]
    args = container_args(container)
    (listen,) = args["--cluster.listen-address"]
    port = int(listen.rsplit(":", 1)[1])
    expected = {f"{statefulset['metadata']['name']}-{i}.{governing['metadata']['name']}:{port}"
                for i in range(replicas)}
    assert set(args["--cluster.peer"]) == expected
    assert {(p["port"], p.get("protocol", "TCP")) for p in governing["spec"]["ports"]} == {(port, "TCP"),
                                                                                         (port, "UDP")}
    assert {(p["containerPort"], p.get("protocol", "TCP")) for p in container["ports"]} >= {(port, "TCP"),
                                                                                          (port, "UDP")}


def test_both_prometheus_replicas_send_to_every_alertmanager(docs):
    """Prometheus discovers the endpoints of the service its relabelling keeps: that service must select every
    Alertmanager pod and name the web port as the relabelling expects."""
    config = yaml.safe_load(configmap_data(docs, mounted_configmap(one(docs, "StatefulSet", "prometheus"),
                                                                   "/etc/prometheus/prometheus.yml")[0])
                            ["prometheus.yml"])
    (alertmanagers,) = config["alerting"]["alertmanagers"]
    (sd,) = alertmanagers["kubernetes_sd_configs"]
    assert sd["role"] == "endpoints"
    (keep,) = [r for r in alertmanagers["relabel_configs"] if r["action"] == "keep"]
    assert keep["source_labels"] == ["__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"]
    statefulset = one(docs, "StatefulSet", "alertmanager")
    pod_labels = statefulset["spec"]["template"]["metadata"]["labels"]
    kept = [s for s in by_kind(docs, "Service") if s["spec"].get("selector")
            and s["spec"]["selector"].items() <= pod_labels.items()
            and any(re.fullmatch(keep["regex"], f"{s['metadata']['name']};{p.get('name', '')}")
                    for p in s["spec"]["ports"])]
    assert len(kept) == 1 and kept[0]["spec"].get("clusterIP") != "None"
    assert sd["namespaces"]["names"] == [statefulset["metadata"]["namespace"]]


def test_alertmanager_secrets_come_from_a_secret_never_a_configmap(docs):
    statefulset = one(docs, "StatefulSet", "alertmanager")
    (config_path,) = container_args(pod_spec(statefulset)["containers"][0])["--config.file"]
    name, sub_path = mounted_configmap(statefulset, config_path)
    text = configmap_data(docs, name)[sub_path]
    assert text == (DEPLOY / "alertmanager" / "alertmanager.yml").read_text()
    config = yaml.safe_load(text)
    assert "slack_api_url" not in config["global"] and "smtp_auth_password" not in config["global"]
    for receiver in config["receivers"]:
        assert all("api_url" not in c for c in receiver.get("slack_configs", []))
        assert all("auth_password" not in c for c in receiver.get("email_configs", []))
    secret_dirs = secret_mount_paths(statefulset)
    for key in ("slack_api_url_file", "smtp_auth_password_file"):
        directory = str(PurePosixPath(config["global"][key]).parent)
        assert secret_dirs[directory] == "alertmanager-secrets", key
    # Shipped nowhere: the Secret is created by hand (a placeholder would overwrite it on every apply).
    assert not by_kind(docs, "Secret", "alertmanager-secrets")
    for configmap in by_kind(docs, "ConfigMap"):
        assert not any("hooks.slack.com/services/" in value for value in configmap.get("data", {}).values())


def test_alertmanager_templates_configmap_holds_every_template(docs):
    statefulset = one(docs, "StatefulSet", "alertmanager")
    (config_path,) = container_args(pod_spec(statefulset)["containers"][0])["--config.file"]
    config = yaml.safe_load((DEPLOY / "alertmanager" / "alertmanager.yml").read_text())
    (pattern,) = config["templates"]
    directory = str(PurePosixPath(config_path).parent / PurePosixPath(pattern).parent)
    name, _ = mounted_configmap(statefulset, directory)
    on_disk = {p.name: p.read_text() for p in (DEPLOY / "alertmanager" / "templates").glob("*.tmpl")}
    assert configmap_data(docs, name) == on_disk


# --- Grafana ----------------------------------------------------------------------------------------------------

def test_grafana_provisioning_and_every_dashboard_are_mounted(docs):
    grafana = one(docs, "Deployment", "grafana")
    container = pod_spec(grafana)["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    provisioning = DEPLOY / "grafana" / "provisioning"
    for kind in ("datasources", "dashboards"):
        name, _ = mounted_configmap(grafana, f"{env['GF_PATHS_PROVISIONING']}/{kind}")
        assert configmap_data(docs, name) == {p.name: p.read_text() for p in (provisioning / kind).glob("*.yaml")}
    providers = [p for path in (provisioning / "dashboards").glob("*.yaml")
                 for p in yaml.safe_load(path.read_text())["providers"]]
    dashboards = DEPLOY / "grafana" / "dashboards"
    folders = {d.name for d in dashboards.iterdir() if d.is_dir()}
    assert folders and {PurePosixPath(p["options"]["path"]).name for p in providers} >= folders
    for provider in providers:
        path = PurePosixPath(provider["options"]["path"])
        name, _ = mounted_configmap(grafana, str(path))
        on_disk = {f.name: f.read_text() for f in (dashboards / path.name).glob("*.json")}
        assert configmap_data(docs, name) == on_disk, f"{path.name} stale: run python deploy/kubernetes/sync.py"


def test_grafana_settings_and_secrets(docs):
    grafana = one(docs, "Deployment", "grafana")
    container = pod_spec(grafana)["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    name, sub_path = mounted_configmap(grafana, env["GF_PATHS_CONFIG"]["value"])
    ini_text = configmap_data(docs, name)[sub_path]
    assert ini_text == (DEPLOY / "grafana" / "grafana.ini").read_text()
    ini = configparser.ConfigParser(interpolation=None)
    ini.read_string(ini_text)
    assert ini["auth.generic_oauth"]["role_attribute_path"]  # the SSO group -> role mapping
    secret_dirs = secret_mount_paths(grafana)
    client_secret = re.fullmatch(r"\$__file\{(.+)\}", ini["auth.generic_oauth"]["client_secret"]).group(1)
    admin_password = env["GF_SECURITY_ADMIN_PASSWORD__FILE"]["value"]
    assert "GF_SECURITY_ADMIN_PASSWORD" not in env
    for path in (client_secret, admin_password):
        assert secret_dirs[str(PurePosixPath(path).parent)] == "grafana-secrets", path
    assert not by_kind(docs, "Secret", "grafana-secrets")


def test_grafana_datasource_points_at_the_prometheus_service(docs):
    datasources = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yaml")
                                 .read_text())["datasources"]
    (prometheus,) = [d for d in datasources if d["type"] == "prometheus"]
    url = urlparse(prometheus["url"])
    service_name, namespace = url.hostname.split(".")[:2]
    service = one(docs, "Service", service_name)
    assert service["metadata"]["namespace"] == namespace
    assert url.port in {p["port"] for p in service["spec"]["ports"]}
    assert service["spec"]["selector"].items() <= \
        one(docs, "StatefulSet", "prometheus")["spec"]["template"]["metadata"]["labels"].items()


# --- network ----------------------------------------------------------------------------------------------------

def allowed_sources(docs, pod_labels: dict[str, str]) -> set[str] | None:
    """The app names allowed in by the policies selecting these pods (None: open to everyone)."""
    sources: set[str] = set()
    for policy in by_kind(docs, "NetworkPolicy"):
        selector = policy["spec"]["podSelector"]
        selected = all(pod_labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()) and all(
            pod_labels.get(e["key"]) in e["values"] for e in selector.get("matchExpressions", []))
        if not selected:
            continue
        for rule in policy["spec"].get("ingress", []):
            if "from" not in rule:
                return None
            for peer in rule["from"]:
                assert set(peer) == {"podSelector"}, policy["metadata"]["name"]  # this namespace only
                sources.add(peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"])
    return sources


def test_only_prometheus_reaches_the_exporters_and_only_grafana_and_prometheus_what_they_query(docs):
    (deny,) = [p for p in by_kind(docs, "NetworkPolicy") if p["spec"]["podSelector"] == {}]
    assert deny["spec"]["policyTypes"] == ["Ingress"] and not deny["spec"].get("ingress")
    expected = {"kube-state-exporter": {"prometheus"}, "mysql-exporter": {"prometheus"},
                "prometheus": {"grafana"}, "alertmanager": {"prometheus", "alertmanager"}, "grafana": None}
    for workload in (d for d in docs if d["kind"] in WORKLOAD_KINDS):
        name = workload["metadata"]["name"]
        if pod_spec(workload).get("hostNetwork"):
            continue  # NetworkPolicies do not apply on the host network
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert allowed_sources(docs, labels) == expected[name], name
    # The ports opened are ports the selected containers listen on.
    for policy in by_kind(docs, "NetworkPolicy"):
        selector = policy["spec"]["podSelector"]
        if not selector:
            continue
        listening = {p["containerPort"] for d in docs if d["kind"] in WORKLOAD_KINDS
                     for c in pod_spec(d)["containers"] for p in c.get("ports", [])}
        for rule in policy["spec"].get("ingress", []):
            assert {p["port"] for p in rule["ports"]} <= listening, policy["metadata"]["name"]


# --- exporters --------------------------------------------------------------------------------------------------

def test_node_exporter_daemonset_sees_the_host(docs):
    daemonset = one(docs, "DaemonSet", "node-exporter")
    pod = pod_spec(daemonset)
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


def test_mysql_credentials_come_from_a_secret_file_the_exporter_can_read(docs):
    deployment = one(docs, "Deployment", "mysql-exporter")
    container = pod_spec(deployment)["containers"][0]
    assert "env" not in container
    assert not any("password" in arg.lower() for arg in container["args"])
    assert "--config.my-cnf=/etc/mysql-exporter/my.cnf" in container["args"]
    assert secret_mount_paths(deployment)["/etc/mysql-exporter"] == "mysql-exporter"
    (secret,) = by_kind(docs, "Secret", "mysql-exporter")
    assert "[client]" in secret["stringData"]["my.cnf"]
    # Secret files belong to root: readable by the non-root user only through the group (fsGroup, mode g+r).
    pod = pod_spec(deployment)
    (volume,) = [v for v in pod["volumes"] if "secret" in v]
    assert pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsGroup"]
    assert volume["secret"]["defaultMode"] & 0o040


def test_secret_volumes_are_readable_by_their_non_root_users(docs):
    for workload in (d for d in docs if d["kind"] in WORKLOAD_KINDS):
        pod = pod_spec(workload)
        for volume in (v for v in pod.get("volumes", []) if "secret" in v):
            assert pod["securityContext"].get("fsGroup") is not None, workload["metadata"]["name"]
            assert volume["secret"].get("defaultMode", 0o644) & 0o040, workload["metadata"]["name"]


def test_dockerfile_runs_as_nobody_and_installs_the_suite():
    dockerfile = (REPO / "deploy" / "image" / "Dockerfile").read_text()
    assert "USER 65534:65534" in dockerfile
    assert "PYTHONDONTWRITEBYTECODE=1" in dockerfile
    for package in ("exporter_toolkit", "node_exporter", "kube_state_exporter", "mysql_exporter"):
        assert f"COPY {package} ./{package}" in dockerfile


# --- Prometheus Operator overlay --------------------------------------------------------------------------------

def test_files_generated_from_the_rules_and_dashboards_are_current():
    """The generators (Prometheus, Grafana), the dashboard mounts and the operator's rules follow the files."""
    script = KUSTOMIZE / "sync.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_operator_overlay_carries_the_rules_unchanged(builds):
    _, documents = builds["operator"]
    rules = {d["metadata"]["name"]: d["spec"]["groups"] for d in by_kind(documents, "PrometheusRule")}
    on_disk = {f"exporter-suite-{p.stem}": yaml.safe_load(p.read_text())["groups"]
               for p in (DEPLOY / "prometheus" / "rules").glob("*.yml")}
    assert rules == on_disk
    assert not by_kind(documents, "StatefulSet"), "the operator runs Prometheus and Alertmanager"


def test_operator_monitors_scrape_the_exporters_under_the_suites_job_names(builds):
    _, documents = builds["operator"]
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    exporter_jobs = {job["job_name"] for job in config["scrape_configs"]} - {"apps"}
    jobs = set()
    for monitor in by_kind(documents, "ServiceMonitor"):
        selector = monitor["spec"]["selector"]["matchLabels"]
        (service,) = [s for s in by_kind(documents, "Service") if selector.items() <= s["metadata"]["labels"].items()]
        for endpoint in monitor["spec"]["endpoints"]:
            assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
            jobs |= {r["replacement"] for r in endpoint["relabelings"] if r["targetLabel"] == "job"}
    for monitor in by_kind(documents, "PodMonitor"):
        selector = monitor["spec"]["selector"]["matchLabels"]
        (workload,) = [d for d in documents if d["kind"] in WORKLOAD_KINDS
                       and selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        ports = {p["name"] for c in pod_spec(workload)["containers"] for p in c.get("ports", [])}
        for endpoint in monitor["spec"]["podMetricsEndpoints"]:
            assert endpoint["port"] in ports
            jobs |= {r["replacement"] for r in endpoint["relabelings"] if r["targetLabel"] == "job"}
    assert jobs == exporter_jobs
    (kube_state,) = by_kind(documents, "ServiceMonitor", "kube-state-exporter")
    assert [e["honorLabels"] for e in kube_state["spec"]["endpoints"] if e["port"] == "http-metrics"] == [True]
    # The operator's Prometheus may run in any namespace.
    (policy,) = by_kind(documents, "NetworkPolicy", "exporters-scraped-by-prometheus")
    assert policy["spec"]["ingress"][0]["from"] == [
        {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}]


def test_disruptions_take_one_replica_at_a_time(docs):
    for name in ("prometheus", "alertmanager"):
        statefulset = one(docs, "StatefulSet", name)
        labels = statefulset["spec"]["template"]["metadata"]["labels"]
        budgets = [b for b in by_kind(docs, "PodDisruptionBudget")
                   if b["spec"]["selector"]["matchLabels"].items() <= labels.items()]
        assert [b["spec"].get("maxUnavailable") for b in budgets] == [1], name
        assert statefulset["spec"]["replicas"] >= 2
