"""Issue 26 item 3: configurations the real kube-state-metrics refuses to start with make ours exit 2 with one
line naming the file or flag and the reason (never a traceback, never a start)."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from exporter_toolkit.errors import ConfigError

pytestmark = pytest.mark.integration


def kubeconfig(cluster: dict, user: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Config", "current-context": "x",
            "clusters": [{"name": "c", "cluster": cluster}], "users": [{"name": "u", "user": user or {"token": "t"}}],
            "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}]}


SERVER = {"server": "https://127.0.0.1:6443"}
KUBECONFIGS = {
    "server-not-a-string": (kubeconfig({"server": 5}), "server must be a string"),
    "no-server": (kubeconfig({}), "has no server"),
    "server-not-a-url": (kubeconfig({"server": "ht!tp://[bad"}), "is not a URL"),
    "server-bad-port": (kubeconfig({"server": "https://host:port"}), "is not a URL"),
    "missing-ca": (kubeconfig({**SERVER, "certificate-authority": "ca.crt"}), "certificate-authority ca.crt: no such"),
    "missing-client-cert": (kubeconfig(SERVER, {"client-certificate": "/nonexistent/c.crt",
                                                "client-key-data": base64.b64encode(b"key").decode()}),
                            "client-certificate /nonexistent/c.crt: no such file"),
    "missing-client-key": (kubeconfig(SERVER, {"client-certificate-data": base64.b64encode(b"cert").decode(),
                                               "client-key": "c.key"}), "client-key c.key: no such file"),
    "cert-data-not-base64": (kubeconfig(SERVER, {"client-certificate-data": "!!not base64!!",
                                                 "client-key-data": "AAAA"}),
                             "client-certificate-data is not valid base64"),
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kube_state_exporter", "--port=0", "--telemetry-port=0", *args],
                          capture_output=True, text=True, timeout=30)


def assert_refused(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith("kube-state-exporter: error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize("case", sorted(KUBECONFIGS))
def test_kubeconfig_refused_like_client_go(tmp_path: Path, case: str):
    document, reason = KUBECONFIGS[case]
    path = tmp_path / "kubeconfig.yaml"
    path.write_text(yaml.safe_dump(document))
    assert_refused(run(f"--kubeconfig={path}"), f"--kubeconfig {path}", reason)


def test_a_relative_certificate_path_is_read_beside_the_kubeconfig(tmp_path: Path):
    from kube_state_exporter.client import check_kubeconfig

    path = tmp_path / "kubeconfig.yaml"
    path.write_text(yaml.safe_dump(kubeconfig({**SERVER, "certificate-authority": "ca.crt"})))
    with pytest.raises(ConfigError, match="no such file"):
        check_kubeconfig(str(path))
    (tmp_path / "ca.crt").write_text("a CA")
    check_kubeconfig(str(path))  # found beside the kubeconfig, as client-go resolves it


def test_no_server_is_fine_with_apiserver(tmp_path: Path):
    path = tmp_path / "kubeconfig.yaml"
    path.write_text(yaml.safe_dump(kubeconfig({})))
    assert_refused(run(f"--kubeconfig={path}", "--apiserver=ht!tp://[bad"), "--apiserver", "is not a URL")


@pytest.mark.parametrize(("flag", "value", "reason"), [
    ("--metric-allowlist", "kube_(", "missing ), unterminated subpattern"),
    ("--metric-denylist", "kube_pod_info,kube_(", "missing ), unterminated subpattern"),
    ("--metric-opt-in-list", "[", "unterminated character set"),
    ("--metric-allowlist", "(" * 5000, "nests too deeply"),
    ("--metric-denylist", "(" * 5000 + ")" * 5000, "nests too deeply"),
])
def test_a_bad_regex_names_its_flag(tmp_path: Path, flag: str, value: str, reason: str):
    path = tmp_path / "kubeconfig.yaml"
    path.write_text(yaml.safe_dump(kubeconfig(SERVER)))
    assert_refused(run(f"--kubeconfig={path}", f"{flag}={value}"), flag, reason)
