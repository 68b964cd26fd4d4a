"""deploy/prometheus and deploy/alertmanager checked by the real tools: promtool and amtool."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from tests.conftest import REPO, require_binary

PROMETHEUS = REPO / "deploy" / "prometheus"
ALERTMANAGER = REPO / "deploy" / "alertmanager"
REQUIRED_ALERTS = {"KubePodCrashLooping", "KubePodNotReady", "KubeDeploymentReplicasMismatch",
                   "NodeFilesystemFillingUp", "NodeMemoryPressure", "NodeHighCPU", "ExporterTargetDown",
                   "MySQLDown", "MySQLTooManyConnections", "MySQLSlowQueries"}


def run(*argv: str, cwd=None) -> str:
    result = subprocess.run(list(argv), capture_output=True, text=True, timeout=120, cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_local_config_is_valid():
    run(require_binary("promtool"), "check", "config", str(PROMETHEUS / "prometheus-local.yml"))


def test_kubernetes_config_is_valid_with_file_sd_in_place_of_kubernetes_sd(tmp_path):
    """Debian's promtool is built without Kubernetes service discovery: swap each kubernetes_sd_configs block
    for a file_sd one and check everything else (jobs, relabelling, alerting, rule files) with promtool."""
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    sd_roles = []
    for section in [*config["scrape_configs"], *config["alerting"]["alertmanagers"]]:
        for sd in section.pop("kubernetes_sd_configs"):
            assert sd["role"] in ("endpoints", "pod", "service", "node")
            sd_roles.append(sd["role"])
        section["file_sd_configs"] = [{"files": ["targets.json"]}]
    assert len(sd_roles) == 6
    (tmp_path / "rules").symlink_to(PROMETHEUS / "rules")
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    run(require_binary("promtool"), "check", "config", str(path))


def test_rules_are_valid_and_every_required_alert_exists():
    output = run(require_binary("promtool"), "check", "rules", *map(str, sorted((PROMETHEUS / "rules").glob("*.yml"))))
    assert "SUCCESS" in output
    alerts = {rule["alert"] for path in (PROMETHEUS / "rules").glob("*.yml")
              for group in yaml.safe_load(path.read_text())["groups"] for rule in group["rules"] if "alert" in rule}
    assert alerts >= REQUIRED_ALERTS
    for path in (PROMETHEUS / "rules").glob("alerts.yml"):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                assert rule["labels"]["severity"] in ("critical", "warning") and rule["labels"]["team"], rule["alert"]
                assert rule["annotations"]["summary"], rule["alert"]


def test_promtool_unit_tests_cover_every_alert_firing_and_not():
    tests = PROMETHEUS / "tests" / "alerts_test.yml"
    run(require_binary("promtool"), "test", "rules", str(tests), cwd=PROMETHEUS)
    alerts = {rule["alert"] for group in yaml.safe_load((PROMETHEUS / "rules" / "alerts.yml").read_text())["groups"]
              for rule in group["rules"]}
    spec = yaml.safe_load(tests.read_text())
    firing = {case["alertname"] for test in spec["tests"] for case in test["alert_rule_test"] if case["exp_alerts"]}
    assert firing == alerts
    # Not firing: each alert is either expected silent at some time, or its test has a second, healthy object
    # whose series never show up in the expected alerts.
    for test in spec["tests"]:
        healthy_series = len(test["input_series"]) > len({s["series"].split("{")[0] for s in test["input_series"]})
        silent = any(not case["exp_alerts"] for case in test["alert_rule_test"])
        assert healthy_series or silent, test["name"]


def test_alertmanager_config_is_valid():
    run(require_binary("amtool"), "check-config", str(ALERTMANAGER / "alertmanager.yml"))


@pytest.mark.parametrize(("labels", "receiver"), [
    (("team=dba", "severity=critical"), "dba-critical"),
    (("team=dba", "severity=warning"), "dba-slack"),
    (("team=platform", "severity=critical"), "platform-critical"),
    (("team=platform", "severity=warning"), "platform-slack"),
    (("team=dev", "severity=warning"), "dev-slack"),
    (("team=dev", "severity=critical"), "dev-slack"),
    (("team=marketing", "severity=critical"), "platform-email"),
])
def test_each_team_and_severity_routes_to_its_receiver(labels, receiver):
    result = subprocess.run([require_binary("amtool"), "config", "routes", "test",
                             f"--config.file={ALERTMANAGER / 'alertmanager.yml'}", f"--verify.receivers={receiver}",
                             *labels], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == receiver


def test_every_alert_team_has_a_route():
    config = yaml.safe_load((ALERTMANAGER / "alertmanager.yml").read_text())
    routed = {m.split("=")[1].strip('"') for route in config["route"]["routes"] for m in route["matchers"]
              if m.startswith("team=")}
    teams = set(re.findall(r"team: (\w+)", (PROMETHEUS / "rules" / "alerts.yml").read_text()))
    assert teams <= routed


def test_local_stack_alertmanager_config_is_valid_and_carries_no_credential_files(tmp_path):
    """What `make run` gives Alertmanager: the shipped config pointed at the loopback sinks, checked by amtool."""
    from localstack.monitoring import alertmanager_config

    config = alertmanager_config(yaml.safe_load((ALERTMANAGER / "alertmanager.yml").read_text()), 9095, 2525)
    assert config["global"]["slack_api_url"] == "http://127.0.0.1:9095/slack"
    assert not {"slack_api_url_file", "smtp_auth_password_file"} & set(config["global"])
    (tmp_path / "templates").symlink_to(ALERTMANAGER / "templates")
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config))
    run(require_binary("amtool"), "check-config", str(path))


def test_local_ha_alertmanagers_peer_with_each_other_and_open_from_a_browser(tmp_path):
    from localstack.monitoring import AlertmanagerPeer, alertmanager_argv

    config, data = tmp_path / "alertmanager.yml", tmp_path / "data"

    peers = [AlertmanagerPeer(9093, 9094), AlertmanagerPeer(9193, 9194), AlertmanagerPeer(9293, 9294)]
    for peer in peers:
        argv = alertmanager_argv("alertmanager", config, data, peer, peers)
        assert f"--web.external-url=http://127.0.0.1:{peer.web_port}" in argv
        assert f"--cluster.listen-address=127.0.0.1:{peer.cluster_port}" in argv
        assert sorted(a for a in argv if a.startswith("--cluster.peer=")) == sorted(
            f"--cluster.peer=127.0.0.1:{other.cluster_port}" for other in peers if other != peer)
    single = alertmanager_argv("alertmanager", config, data, peers[0], peers[:1])
    assert "--cluster.listen-address=" in single and not any(a.startswith("--cluster.peer") for a in single)


def test_local_ha_prometheus_config_is_valid_and_drops_the_replica_label_from_alerts(tmp_path):
    from localstack.monitoring import prometheus_config

    config = prometheus_config((PROMETHEUS / "prometheus-local.yml").read_text(), frozenset({"kubernetes"}),
                               [9093, 9193, 9293], "prometheus-1")
    assert config["global"]["external_labels"]["replica"] == "prometheus-1"
    assert {job["job_name"] for job in config["scrape_configs"]} == {"kube-state", "kube-state-telemetry"}
    assert config["alerting"]["alertmanagers"][0]["static_configs"] == [
        {"targets": ["127.0.0.1:9093", "127.0.0.1:9193", "127.0.0.1:9293"]}]
    assert {"action": "labeldrop", "regex": "replica"} in config["alerting"]["alert_relabel_configs"]
    (tmp_path / "rules").symlink_to(PROMETHEUS / "rules")
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    run(require_binary("promtool"), "check", "config", str(path))
