"""High availability end to end: two Prometheus replicas (external label `replica`) and three Debian Alertmanagers
gossiping on loopback, both Prometheus sending to all three. The crash-loop alert reaches Slack and email exactly
once per alert group; with one Alertmanager killed, a new alert group still arrives exactly once; resolved
notifications arrive once too.

Short timers come from the test's own configuration: the suite's Alertmanager config with group_wait 1 s and
group_interval 2 s, the suite's KubePodCrashLooping rule with 20 s windows and `for: 5s`, 1 s scrapes and
evaluations, a 2 s peer timeout between Alertmanagers."""

from __future__ import annotations

import re
import time

import pytest
import requests
import yaml

from localstack.stack import DEPLOY, LocalStack
from testbed.harness import wait_for
from tests.conftest import require_binary

pytestmark = pytest.mark.e2e

ALERT = "KubePodCrashLooping"
PEER_TIMEOUT = 2.0
# The crash-loop rule's windows, shortened: the simulated kubelet's back-off tops out at 10 s, so a restart every
# ~11 s (more on a loaded machine); a 20 s window let the alert resolve between two restarts and fire again.
WINDOW = "30s"
GROUP_INTERVAL = 2.0
# Long enough for every Alertmanager to have had its turn (position x peer timeout) and a group interval more:
# a duplicate would have arrived by then.
HOLD = 3 * PEER_TIMEOUT + 2 * GROUP_INTERVAL + 2


def short_rules(directory) -> None:
    """The suite's own KubePodCrashLooping rule, on short windows: it fires within seconds and resolves within
    20 s of the pod's deletion."""
    for path in (DEPLOY / "prometheus" / "rules").glob("*.yml"):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if rule.get("alert") == ALERT:
                    rule = {**rule, "expr": re.sub(r"\[\d+[smh]\]", f"[{WINDOW}]", rule["expr"]), "for": "5s"}
                    (directory / "alerts.yml").write_text(yaml.safe_dump({"groups": [
                        {"name": "crash", "rules": [rule]}]}))
                    return
    raise AssertionError(f"{ALERT} is not in deploy/prometheus/rules")


def fast_alertmanager_config() -> dict:
    config = yaml.safe_load((DEPLOY / "alertmanager" / "alertmanager.yml").read_text())
    config["global"]["resolve_timeout"] = "10s"
    for route in [config["route"], *config["route"].get("routes", [])]:
        route.update({"group_wait": "1s", "group_interval": f"{GROUP_INTERVAL:g}s", "repeat_interval": "1h"})
    return config


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    for name in ("prometheus", "prometheus-alertmanager"):
        require_binary(name)
    rules = tmp_path_factory.mktemp("rules")
    short_rules(rules)
    local = LocalStack(tmp_path_factory.mktemp("ha-stack"), free_ports=True, backoff_base=1.0, ha=True,
                       pieces=frozenset({"kubernetes"}), alertmanager_base=fast_alertmanager_config(), rules=rules,
                       prometheus_global={"scrape_interval": "1s", "scrape_timeout": "1s",
                                          "evaluation_interval": "1s"},
                       alertmanager_flags=(f"--cluster.peer-timeout={PEER_TIMEOUT:g}s",
                                           "--cluster.pushpull-interval=5s"))
    local.start()
    yield local
    local.stop()


# --- what arrived -------------------------------------------------------------------------------------------------

def slack_notifications(stack) -> list[tuple[str, frozenset[str]]]:
    """(status, pods named) of every crash-loop Slack message received."""
    out = []
    for message in stack.slack.messages:
        for attachment in message.get("attachments") or []:
            title = attachment.get("title", "")
            if ALERT in title:
                status = "resolved" if title.startswith("[RESOLVED") else "firing"
                out.append((status, frozenset(re.findall(r"pod (\S+/\S+):", attachment.get("text", "")))))
    return out


def email_notifications(stack) -> list[tuple[str, frozenset[str]]]:
    out = []
    for email in stack.smtp.messages:
        subject = email["subject"]
        if ALERT in subject:
            status = "resolved" if subject.startswith("[RESOLVED") else "firing"
            out.append((status, frozenset(re.findall(r"pod (\S+/\S+)", subject))))
    return out


def count(notifications, status: str, pod: str) -> int:
    return sum(1 for s, pods in notifications if s == status and pod in pods)


def arrives_exactly_once(stack, status: str, pod: str, timeout: float = 90) -> None:
    """Both the Slack message and the email arrive, and no second one of either within HOLD seconds."""
    wait_for(lambda: count(slack_notifications(stack), status, pod) and count(email_notifications(stack), status, pod),
             timeout=timeout, interval=0.5, what=f"{status} {pod} in Slack and email")
    deadline = time.monotonic() + HOLD
    while time.monotonic() < deadline:  # watching for a duplicate, not waiting for something to happen
        slack, email = count(slack_notifications(stack), status, pod), count(email_notifications(stack), status, pod)
        assert (slack, email) == (1, 1), (f"{status} {pod}: {slack} Slack messages, {email} emails; all Slack "
                                          f"messages in order: {slack_notifications(stack)}")
        time.sleep(0.5)


def notifications_sent(port: int) -> float:
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("alertmanager_notifications_total{"))


def kube(stack, method: str, path: str, body: dict | None = None) -> None:
    response = requests.request(method, f"http://127.0.0.1:{stack.ports['kube_api']}{path}", json=body, timeout=10,
                                headers={"Authorization": "Bearer kube-sim-token"})
    assert response.status_code < 300, response.text


def crash_pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"run": name}},
            "spec": {"restartPolicy": "Always",
                     "containers": [{"name": name, "image": "busybox", "args": ["/bin/sh", "-c", "exit 1"]}]}}


# --- the test -----------------------------------------------------------------------------------------------------

def test_the_pair_and_the_cluster_are_wired(stack):
    """Two Prometheus, each sending to the three Alertmanagers; three Alertmanagers in one gossip cluster."""
    assert len(stack.prometheus) == 2 and len(stack.alertmanagers) == 3
    for port in stack.prometheus_ports:
        config = requests.get(f"http://127.0.0.1:{port}/api/v1/status/config", timeout=5).json()["data"]["yaml"]
        assert yaml.safe_load(config)["global"]["external_labels"]["replica"].startswith("prometheus-")
        wait_for(lambda port=port: len(requests.get(f"http://127.0.0.1:{port}/api/v1/alertmanagers", timeout=5)
                                       .json()["data"]["activeAlertmanagers"]) == 3, timeout=30, interval=0.5,
                 what="three Alertmanagers discovered")
    for port in stack.alertmanager_ports:
        wait_for(lambda port=port: len(requests.get(f"http://127.0.0.1:{port}/api/v2/status", timeout=5)
                                       .json()["cluster"]["peers"]) == 3, timeout=30, interval=0.5,
                 what="three peers in the cluster")


def test_notifications_arrive_once_even_when_an_alertmanager_dies(stack):
    # 1. The demo's crash-looping pod: one Slack message, one email, from three Alertmanagers fed by two Prometheus.
    arrives_exactly_once(stack, "firing", "default/busy-box-crash")
    for port in stack.alertmanager_ports:  # one alert, not one per Prometheus replica
        alerts = requests.get(f"http://127.0.0.1:{port}/api/v2/alerts", params={"filter": f'alertname="{ALERT}"'},
                              timeout=5).json()
        assert len(alerts) == 1 and "replica" not in alerts[0]["labels"], alerts

    # 2. Kill the Alertmanager that sent it; a new alert group (another namespace) still arrives exactly once.
    sent = {port: notifications_sent(port) for port in stack.alertmanager_ports}
    sender = max(sent, key=sent.get)
    assert sent[sender] >= 2 and sum(sent.values()) == sent[sender], sent  # one Alertmanager sent Slack + email
    victim = stack.alertmanagers[stack.alertmanager_ports.index(sender)]
    victim.process.kill()
    victim.process.wait(10)
    kube(stack, "POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "qa"}})
    kube(stack, "POST", "/api/v1/namespaces/qa/pods", crash_pod("flaky"))
    arrives_exactly_once(stack, "firing", "qa/flaky")
    survivors = [port for port in stack.alertmanager_ports if port != sender]
    assert sum(notifications_sent(port) for port in survivors) >= 2

    # 3. Both pods deleted: each group's resolved notification arrives once.
    kube(stack, "DELETE", "/api/v1/namespaces/default/pods/busy-box-crash")
    kube(stack, "DELETE", "/api/v1/namespaces/qa/pods/flaky")
    arrives_exactly_once(stack, "resolved", "default/busy-box-crash")
    arrives_exactly_once(stack, "resolved", "qa/flaky", timeout=30)

    # Nothing else was sent: one firing and one resolved per group, on each channel.
    for notifications in (slack_notifications(stack), email_notifications(stack)):
        assert sorted((status, sorted(pods)) for status, pods in notifications) == [
            ("firing", ["default/busy-box-crash"]), ("firing", ["qa/flaky"]),
            ("resolved", ["default/busy-box-crash"]), ("resolved", ["qa/flaky"])]
