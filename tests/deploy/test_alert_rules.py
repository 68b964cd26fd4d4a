"""Every alert of deploy/prometheus/rules: routed labels, a runbook section that exists, and promtool unit tests
that make it fire and keep it quiet (tests/*_test.yml, run by the real promtool)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, require_binary

PROMETHEUS = REPO / "deploy" / "prometheus"
RUNBOOKS = REPO / "docs" / "runbooks.md"
RUNBOOK_BASE = "https://github.com/exporter-suite/exporter-suite/blob/main/docs/runbooks.md#"
TEST_FILES = sorted((PROMETHEUS / "tests").glob("*_test.yml"))
# The situations the standard node, Kubernetes and MySQL alert sets watch for, by our alert names.
STANDARD = {
    "NodeClockNotSynchronising", "NodeClockSkewDetected", "NodeRAIDDegraded", "NodeNetworkReceiveErrs",
    "NodeNetworkTransmitErrs", "NodeConntrackNearLimit", "NodeFileDescriptorLimit", "NodeOOMKillDetected",
    "NodeDiskIOSaturation", "NodeSystemdServiceFailed", "NodeTextFileCollectorScrapeError", "KubeJobFailed",
    "KubeHpaMaxedOut", "KubePersistentVolumeErrors", "KubeStatefulSetRolloutStuck", "KubeDaemonSetRolloutStuck",
    "KubeNodeNotReady", "KubeContainerWaiting", "KubeQuotaAlmostFull", "KubePdbNotHealthy",
    "MySQLReplicationNotRunning", "MySQLReplicationLag", "MySQLRestarted", "MySQLInnoDBLogWaits",
    "MySQLConnectionErrors", "AppErrorBudgetBurnFast", "AppErrorBudgetBurnSlow", "NodeExporterCollectorFailed",
    "MySQLExporterScrapeErrors", "KubeStateExporterListWatchErrors",
}


def alert_rules() -> dict[str, dict]:
    rules = {}
    for path in sorted((PROMETHEUS / "rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    assert rule["alert"] not in rules, f"{rule['alert']} defined twice"
                    rules[rule["alert"]] = rule
    return rules


def runbook_anchors() -> set[str]:
    """GitHub's anchors of the runbook headings: lower case, spaces to dashes, punctuation dropped."""
    return {re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
            for line in RUNBOOKS.read_text().splitlines() if line.startswith("#")}


def test_every_alert_has_an_anchor_with_its_exact_name():
    """The dashboards' alert tables link `runbooks.md#<alertname>` from ALERTS' alertname: GitHub matches fragments
    case-sensitively, so each alert has an HTML anchor with its exact name in front of its section."""
    ids = re.findall(r'^<a id="(\w+)"></a>$', RUNBOOKS.read_text(), flags=re.MULTILINE)
    assert set(alert_rules()) <= set(ids) and len(ids) == len(set(ids))


def test_standard_situations_are_covered():
    assert set(alert_rules()) >= STANDARD


@pytest.mark.parametrize("name", sorted(alert_rules()))
def test_alert_is_routable_and_has_a_runbook(name):
    rule = alert_rules()[name]
    assert rule["labels"]["severity"] in ("critical", "warning")
    assert rule["labels"]["team"] in ("platform", "dba", "dev")
    assert rule["annotations"]["summary"]
    url = rule["annotations"]["runbook_url"]
    assert url.startswith(RUNBOOK_BASE), url
    assert url.removeprefix(RUNBOOK_BASE) in runbook_anchors(), f"{url}: no such section in docs/runbooks.md"


@pytest.mark.parametrize("path", TEST_FILES, ids=[p.name for p in TEST_FILES])
def test_promtool_unit_tests_pass(path: Path):
    result = subprocess.run([require_binary("promtool"), "test", "rules", str(path.relative_to(PROMETHEUS))],
                            capture_output=True, text=True, timeout=120, cwd=PROMETHEUS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_quiet():
    """Each alert fires in some test; and each test either expects silence at some time or feeds a healthy
    object (more series than metric names) whose labels never appear in its expected alerts."""
    fired: set[str] = set()
    quiet: set[str] = set()
    for path in TEST_FILES:
        for test in yaml.safe_load(path.read_text())["tests"]:
            names = {case["alertname"] for case in test["alert_rule_test"]}
            series = [s["series"] for s in test["input_series"]]
            healthy = len(series) > len({s.split("{")[0] for s in series})
            for case in test["alert_rule_test"]:
                (fired if case["exp_alerts"] else quiet).add(case["alertname"])
            if healthy:
                quiet |= names
    rules = set(alert_rules())
    assert rules - fired == set(), "never tested firing"
    assert rules - quiet == set(), "never tested quiet"
