"""The local stack end to end: everything up, every Prometheus target up, the crash-looping pod fires the
crash-loop alert, Alertmanager delivers it to the Slack-compatible receiver and to the SMTP sink naming the pod
and namespace (with links that open from a browser here), the printed kubectl line works, and the demo app has a
landing page. Every dashboard query against this stack: tests/e2e/test_dashboard_queries.py."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess

import pytest
import requests

from localstack.stack import LocalStack
from testbed.harness import wait_for
from tests.conftest import require_binary

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    for name in ("prometheus", "prometheus-alertmanager", "mariadbd"):
        require_binary(name)
    local = LocalStack(tmp_path_factory.mktemp("local-stack"), free_ports=True, backoff_base=1.0)
    local.start()
    yield local
    local.stop()


def promql(stack: LocalStack, expr: str) -> list[dict]:
    response = requests.get(f"http://127.0.0.1:{stack.ports['prometheus']}/api/v1/query", params={"query": expr},
                            timeout=10)
    body = response.json()
    assert body["status"] == "success", (expr, body)
    return body["data"]["result"]


def test_every_target_is_up(stack):
    def all_up():
        targets = requests.get(f"http://127.0.0.1:{stack.ports['prometheus']}/api/v1/targets",
                               timeout=10).json()["data"]["activeTargets"]
        return len(targets) == 5 and all(t["health"] == "up" for t in targets) and targets
    targets = wait_for(all_up, timeout=60, interval=1, what="all targets up")
    assert {t["labels"]["job"] for t in targets} == {"node", "kube-state", "kube-state-telemetry", "mysql", "apps"}


def test_crash_loop_alert_is_delivered_to_slack_and_email(stack):
    def firing():
        alerts = requests.get(f"http://127.0.0.1:{stack.ports['prometheus']}/api/v1/alerts",
                              timeout=10).json()["data"]["alerts"]
        return [a for a in alerts if a["labels"]["alertname"] == "KubePodCrashLooping" and a["state"] == "firing"]

    (alert,) = wait_for(firing, timeout=240, interval=2, what="KubePodCrashLooping firing")
    assert alert["labels"]["namespace"] == "default" and alert["labels"]["pod"] == "busy-box-crash"
    slack = wait_for(lambda: [t for t in stack.slack.texts() if "KubePodCrashLooping" in t], timeout=120,
                     interval=1, what="Slack message")
    assert "default/busy-box-crash" in slack[0]
    # Other alerts of the stack (MySQL, nodes) may be delivered too: look at the crash loop's message.
    message = next(m for m in stack.slack.messages if "KubePodCrashLooping" in json.dumps(m))
    assert message["channel"] == "#platform-critical"
    emails = wait_for(lambda: [m for m in stack.smtp.messages if "KubePodCrashLooping" in m["subject"]],
                      timeout=120, interval=1, what="email")
    assert "default/busy-box-crash" in emails[0]["subject"] and "default/busy-box-crash" in emails[0]["body"]
    assert emails[0]["to"] == "platform-oncall@example.com"
    # Links in the message open from a browser on this machine: Alertmanager's external URL is on 127.0.0.1.
    link = message["attachments"][0]["title_link"]
    assert link.startswith(f"http://127.0.0.1:{stack.ports['alertmanager']}/"), link
    assert requests.get(link, timeout=10).status_code == 200


def test_the_printed_kubectl_line_lists_the_simulated_pods(stack):
    kubectl = shutil.which("kubectl") or pytest.skip("kubectl is not installed")
    argv = shlex.split(stack.kubectl_line)
    assert argv[0] == "kubectl" and argv[1:3] == ["--kubeconfig", str(stack.kubeconfig)]
    result = subprocess.run([kubectl, *argv[1:]], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert ["default", "busy-box-crash"] in [row[:2] for row in rows]


def test_the_demo_app_answers_its_root_with_a_landing_page(stack):
    response = requests.get(f"http://127.0.0.1:{stack.ports['app']}/", timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'href="/metrics"' in response.text
    assert stack.urls()["Demo app"] == f"http://127.0.0.1:{stack.ports['app']}/"
