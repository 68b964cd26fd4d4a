"""deploy/kubernetes/overlays/sharded: built with `kubectl kustomize`, valid against the Kubernetes schemas, and the
layout it promises: every shard pod runs the config of its shard (hashmod keep, external labels `shard` and
`replica`, promtool-valid with kubernetes_sd swapped for file_sd), writes to VictoriaMetrics, keeps the rules and
sends to Alertmanager; VictoriaMetrics keeps data on a volume, runs non-root, is reached only by the shards and
Grafana; Grafana's default datasource is VictoriaMetrics."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import PurePosixPath
from urllib.parse import urlparse

import pytest
import yaml

from localstack.sharded import shard_config
from tests.conftest import REPO, require_binary
from tests.deploy.test_kubernetes_manifests import (
    WORKLOAD_KINDS,
    allowed_sources,
    assert_namespaces,
    by_kind,
    configmap_data,
    container_args,
    kubectl,
    one,
    pod_spec,
)

DEPLOY = REPO / "deploy"
OVERLAY = DEPLOY / "kubernetes" / "overlays" / "sharded"
SHARDED = DEPLOY / "prometheus" / "sharded"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[str, list[dict]]:
    result = subprocess.run([kubectl(), "kustomize", str(OVERLAY)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout, [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module")
def docs(built) -> list[dict]:
    return built[1]


def pod_configs(docs) -> dict[str, dict]:
    """Pod name -> the Prometheus config that pod reads, resolved the way the kubelet mounts it: the volume at the
    --config.file path, its subPathExpr expanded with the pod's env, the ConfigMap item at that path."""
    statefulset = one(docs, "StatefulSet", "prometheus")
    container = pod_spec(statefulset)["containers"][0]
    (config_path,) = container_args(container)["--config.file"]
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == config_path]
    (volume,) = [v for v in pod_spec(statefulset)["volumes"] if v["name"] == mount["name"]]
    env = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in container["env"]}
    data = configmap_data(docs, volume["configMap"]["name"])
    items = {item["path"]: item["key"] for item in volume["configMap"]["items"]}
    configs = {}
    for ordinal in range(statefulset["spec"]["replicas"]):
        pod = f"{statefulset['metadata']['name']}-{ordinal}"
        fields = {"metadata.name": pod}
        sub_path = re.sub(r"\$\((\w+)\)", lambda m, fields=fields: fields[env[m.group(1)]], mount["subPathExpr"])
        configs[pod] = yaml.safe_load(data[items[sub_path]])
    return configs


def shard_of(config: dict) -> tuple[int, int]:
    """(shard, shards) a config keeps: every job ends with the same hashmod of the address and keep of one value."""
    found = set()
    for job in config["scrape_configs"]:
        hashmod, keep = job["relabel_configs"][-2:]
        assert hashmod["action"] == "hashmod" and hashmod["source_labels"] == ["__address__"], job["job_name"]
        assert keep == {"source_labels": [hashmod["target_label"]], "regex": keep["regex"], "action": "keep"}
        found.add((int(keep["regex"]), hashmod["modulus"]))
    (shard,) = found
    return shard


def test_generated_shard_configs_and_patch_are_current():
    result = subprocess.run([sys.executable, str(SHARDED / "generate.py"), "--check"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_generator_refuses_a_bad_layout_in_one_line():
    result = subprocess.run([sys.executable, str(SHARDED / "generate.py"), "--shards", "0", "--check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_every_manifest_validates_against_its_schema(built, tmp_path):
    path = tmp_path / "sharded.yaml"
    path.write_text(built[0])
    result = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", str(path)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_namespaces(built[1])


def test_the_stack_is_there_with_victoria_metrics_added(docs):
    workloads = {(d["kind"], d["metadata"]["name"]) for d in docs if d["kind"] in WORKLOAD_KINDS}
    assert workloads == {("DaemonSet", "node-exporter"), ("StatefulSet", "kube-state-exporter"),
                         ("Deployment", "mysql-exporter"), ("Deployment", "grafana"), ("StatefulSet", "prometheus"),
                         ("StatefulSet", "alertmanager"), ("StatefulSet", "victoria-metrics")}
    assert not by_kind(docs, "ConfigMap", "prometheus-config"), "the unsharded config must not linger"


def test_every_container_is_non_root_read_only_bounded_and_probed(docs):
    for workload in (d for d in docs if d["kind"] in WORKLOAD_KINDS):
        name = workload["metadata"]["name"]
        pod = pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"], name
            ports = {p["name"] for p in container.get("ports", [])} | {p["containerPort"]
                                                                       for p in container.get("ports", [])}
            for probe in ("livenessProbe", "readinessProbe"):
                assert container[probe]["httpGet"]["port"] in ports, (name, probe)
            image = container["image"]
            assert re.fullmatch(r"[\w.-]+(:\d+)?/[\w./-]+:[\w.-]+", image) and not image.endswith(":latest"), image


def test_kube_state_exporter_is_auto_sharded_with_just_the_rights_it_needs(docs):
    """KSM's autosharding layout: each pod's shard is its ordinal, the count the StatefulSet's replicas."""
    statefulset = by_kind(docs, "StatefulSet", "kube-state-exporter")[0]
    assert statefulset["spec"]["replicas"] >= 2 and statefulset["spec"]["serviceName"] == "kube-state-exporter"
    (container,) = pod_spec(statefulset)["containers"]
    assert "--auto-sharding" in container["args"]
    env = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in container["env"]}
    assert env == {"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace"}
    role = by_kind(docs, "Role", "kube-state-exporter-sharding")[0]
    rules = {(tuple(r["apiGroups"]), tuple(r["resources"])): r for r in role["rules"]}
    assert rules[(("",), ("pods",))]["verbs"] == ["get"]
    statefulsets = rules[(("apps",), ("statefulsets",))]
    assert statefulsets["resourceNames"] == ["kube-state-exporter"] and set(statefulsets["verbs"]) <= {
        "get", "list", "watch"}
    binding = by_kind(docs, "RoleBinding", "kube-state-exporter-sharding")[0]
    assert binding["subjects"][0]["name"] == pod_spec(statefulset)["serviceAccountName"]


# --- the shards ---------------------------------------------------------------------------------------------------

def test_each_shard_has_its_replicas_and_every_pod_runs_its_shards_config(docs):
    configs = pod_configs(docs)
    layout = {pod: shard_of(config) for pod, config in configs.items()}
    (shards,) = {modulus for _, modulus in layout.values()}
    per_shard = Counter(shard for shard, _ in layout.values())
    assert shards >= 2 and set(per_shard) == set(range(shards))
    assert len(set(per_shard.values())) == 1 and min(per_shard.values()) >= 2, f"replicas per shard: {per_shard}"
    for pod, config in configs.items():
        labels = config["global"]["external_labels"]
        assert labels["shard"] == str(layout[pod][0]), pod
        # replica: the pod's name, from the environment the stack's StatefulSet already sets (Prometheus 3).
        assert labels["replica"] == "${POD_NAME}", pod


def test_shards_scrape_the_same_jobs_as_the_unsharded_prometheus(docs):
    unsharded = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    for pod, config in pod_configs(docs).items():
        shard, shards = shard_of(config)
        assert config == shard_config(unsharded, shard, shards, config["remote_write"][0]["url"]), pod
        assert [j["job_name"] for j in config["scrape_configs"]] == [j["job_name"] for j in unsharded["scrape_configs"]]


def test_shard_configs_pass_promtool_with_file_sd_in_place_of_kubernetes_sd(docs, tmp_path):
    """Debian's promtool has no Kubernetes SD compiled in (see test_prometheus_alertmanager.py): the check covers
    jobs, the hashmod relabelling, remote_write, alerting and rule files."""
    promtool = require_binary("promtool")
    (tmp_path / "rules").symlink_to(DEPLOY / "prometheus" / "rules")
    for pod, config in pod_configs(docs).items():
        for section in [*config["scrape_configs"], *config["alerting"]["alertmanagers"]]:
            section.pop("kubernetes_sd_configs")
            section["file_sd_configs"] = [{"files": ["targets.json"]}]
        path = tmp_path / f"{pod}.yml"
        path.write_text(yaml.safe_dump(config))
        result = subprocess.run([promtool, "check", "config", str(path)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr


def test_shards_keep_the_rules_and_send_alerts_without_shard_or_replica(docs):
    statefulset = one(docs, "StatefulSet", "prometheus")
    mounts = {m["mountPath"] for m in pod_spec(statefulset)["containers"][0]["volumeMounts"]}
    rules = {p.name: p.read_text() for p in (DEPLOY / "prometheus" / "rules").glob("*.yml")}
    for pod, config in pod_configs(docs).items():
        (pattern,) = config["rule_files"]
        assert str(PurePosixPath("/etc/prometheus") / PurePosixPath(pattern).parent) in mounts, pod
        dropped = {r["regex"] for r in config["alerting"]["alert_relabel_configs"] if r["action"] == "labeldrop"}
        assert {"shard", "replica"} <= dropped, pod
        assert config["alerting"]["alertmanagers"], pod
    volume = next(v for v in pod_spec(statefulset)["volumes"] if v["name"] == "rules")
    data = configmap_data(docs, volume["configMap"]["name"])
    assert data and all(data[name] == rules[name] for name in data)
    # Alertmanager takes the shards' alerts: its policy admits the pods the shards run in.
    labels = statefulset["spec"]["template"]["metadata"]["labels"]
    assert allowed_sources(docs, one(docs, "StatefulSet", "alertmanager")["spec"]["template"]["metadata"]["labels"]) \
        >= {labels["app.kubernetes.io/name"]}


def test_shards_write_to_the_victoria_metrics_service_without_the_replica_label(docs):
    victoria = one(docs, "StatefulSet", "victoria-metrics")
    container = pod_spec(victoria)["containers"][0]
    for pod, config in pod_configs(docs).items():
        (remote_write,) = config["remote_write"]
        url = urlparse(remote_write["url"])
        assert url.path == "/api/v1/write", pod
        service_name, namespace = url.hostname.split(".")[:2]
        service = one(docs, "Service", service_name)
        assert service["metadata"]["namespace"] == namespace == victoria["metadata"]["namespace"]
        assert service["spec"]["selector"].items() <= victoria["spec"]["template"]["metadata"]["labels"].items()
        (port,) = [p for p in service["spec"]["ports"] if p["port"] == url.port]
        assert port["targetPort"] in {p["name"] for p in container["ports"]}
        assert remote_write["write_relabel_configs"] == [{"action": "labeldrop", "regex": "replica"}], pod
        # The replicas of a shard write the same series: VictoriaMetrics keeps one sample per scrape interval.
        args = dict(a.lstrip("-").split("=", 1) for a in container["args"])
        assert args["dedup.minScrapeInterval"] == config["global"]["scrape_interval"], pod
    assert not [s for s in by_kind(docs, "Service") if s["spec"].get("clusterIP") != "None"
                and s["spec"].get("selector", {}).items() <= pod_spec_labels(docs, "prometheus").items()], \
        "a Service over every shard would answer from a random shard"


def selects(policy: dict, labels: dict[str, str]) -> bool:
    selector = policy["spec"]["podSelector"]
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()) and all(
        labels.get(e["key"]) in e["values"] for e in selector.get("matchExpressions", []))


def pod_spec_labels(docs, statefulset: str) -> dict[str, str]:
    return one(docs, "StatefulSet", statefulset)["spec"]["template"]["metadata"]["labels"]


# --- the central store --------------------------------------------------------------------------------------------

def test_victoria_metrics_keeps_its_data_on_a_volume(docs):
    victoria = one(docs, "StatefulSet", "victoria-metrics")
    container = pod_spec(victoria)["containers"][0]
    args = dict(a.lstrip("-").split("=", 1) for a in container["args"])
    (claim,) = victoria["spec"]["volumeClaimTemplates"]
    assert {m["mountPath"]: m["name"] for m in container["volumeMounts"]}[args["storageDataPath"]] == \
        claim["metadata"]["name"]
    assert claim["spec"]["resources"]["requests"]["storage"]
    assert pod_spec(victoria)["automountServiceAccountToken"] is False
    assert container["livenessProbe"]["httpGet"]["path"] == container["readinessProbe"]["httpGet"]["path"] == "/health"


def test_only_the_shards_reach_victoria_metrics_and_only_grafana_besides(docs):
    assert allowed_sources(docs, pod_spec_labels(docs, "victoria-metrics")) == {"prometheus", "grafana"}
    labels = pod_spec_labels(docs, "victoria-metrics")
    policies = [p for p in by_kind(docs, "NetworkPolicy") if p["spec"]["podSelector"] and selects(p, labels)]
    listening = {p["containerPort"] for p in pod_spec(one(docs, "StatefulSet", "victoria-metrics"))["containers"][0]
                 ["ports"]}
    assert policies and all({p["port"] for r in policy["spec"]["ingress"] for p in r["ports"]} <= listening
                            for policy in policies)
    # The shards themselves take no traffic: nothing admits anything to them.
    assert allowed_sources(docs, pod_spec_labels(docs, "prometheus")) == set()
    (deny,) = [p for p in by_kind(docs, "NetworkPolicy") if p["spec"]["podSelector"] == {}]
    assert not deny["spec"].get("ingress")


def test_grafanas_default_datasource_is_victoria_metrics(docs):
    grafana = one(docs, "Deployment", "grafana")
    env = {e["name"]: e.get("value") for e in pod_spec(grafana)["containers"][0]["env"]}
    mount_path = f"{env['GF_PATHS_PROVISIONING']}/datasources"
    (mount,) = [m for m in pod_spec(grafana)["containers"][0]["volumeMounts"] if m["mountPath"] == mount_path]
    (volume,) = [v for v in pod_spec(grafana)["volumes"] if v["name"] == mount["name"]]
    datasources = [d for text in configmap_data(docs, volume["configMap"]["name"]).values()
                   for d in yaml.safe_load(text)["datasources"]]
    (default,) = [d for d in datasources if d.get("isDefault")]
    url = urlparse(default["url"])
    service = one(docs, "Service", url.hostname.split(".")[0])
    assert service["spec"]["selector"].items() <= pod_spec_labels(docs, "victoria-metrics").items()
    assert url.port in {p["port"] for p in service["spec"]["ports"]}
    # The dashboards name their datasource by uid: the same uid as the unsharded stack's.
    stack = yaml.safe_load((DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yaml").read_text())
    assert default["uid"] == stack["datasources"][0]["uid"] and default["type"] == "prometheus"


# --- the local layout (python -m localstack --sharded) ------------------------------------------------------------

def test_local_shard_configs_are_valid_and_split_the_targets(tmp_path):
    """What `python -m localstack --sharded` gives its shards: prometheus-local.yml's jobs, each shard keeping the
    targets whose address hashes to it, every shard with at least one target, all checked by promtool."""
    from localstack.sharded import ShardedStack, hashmod

    promtool = require_binary("promtool")
    stack = ShardedStack(tmp_path / "work", free_ports=True)
    configs = stack.shard_configs()
    assert len(configs) == stack.shards == 2
    (tmp_path / "rules").symlink_to(DEPLOY / "prometheus" / "rules")
    kept: dict[str, int] = {}
    for index, config in enumerate(configs):
        assert shard_of(config) == (index, stack.shards)
        assert config["global"]["external_labels"]["shard"] == str(index)
        assert config["remote_write"][0]["url"] == f"http://127.0.0.1:{stack.ports['victoria_metrics']}/api/v1/write"
        for job in config["scrape_configs"]:
            for target in (t for group in job["static_configs"] for t in group["targets"]):
                if hashmod(target, stack.shards) == index:
                    assert target not in kept, f"{target} kept by two shards"
                    kept[target] = index
        path = tmp_path / f"shard-{index}.yml"
        path.write_text(yaml.safe_dump(config))
        result = subprocess.run([promtool, "check", "config", str(path)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
    assert kept == stack.expected_shards() and set(kept.values()) == {0, 1}
    assert len(set(stack.ports.values())) == len(stack.ports), "two pieces on one port"

