"""TLS and basic auth on /metrics through an exporter-toolkit web config file, against the real daemon."""

from __future__ import annotations

import ssl
import urllib.request

import bcrypt
import pytest
import requests

from testbed.harness import free_port
from tests.tls import make_pki


def tls_ready(port: int, ca: str, auth=None, cert=None):
    return lambda: requests.get(f"https://127.0.0.1:{port}/healthz", verify=ca, auth=auth, cert=cert,
                                timeout=2).ok


@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path)


@pytest.fixture
def secured(tmp_path, pki, start_node_exporter):
    hashed = bcrypt.hashpw(b"correct horse", bcrypt.gensalt(rounds=6)).decode()
    config = tmp_path / "web.yml"
    # Relative file names resolve against the config file's directory, as in Go's exporter-toolkit.
    config.write_text(f"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                      f"basic_auth_users:\n  prometheus: {hashed}\n")
    port = free_port()
    daemon = start_node_exporter(f"--web.config.file={config}", port=port,
                                 ready=tls_ready(port, str(pki["ca.crt"])))
    return daemon, str(pki["ca.crt"])


def test_basic_auth_over_tls(secured):
    daemon, ca = secured
    url = f"https://127.0.0.1:{daemon.port}/metrics"
    missing = requests.get(url, verify=ca, timeout=5)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Basic"
    assert requests.get(url, verify=ca, auth=("prometheus", "wrong"), timeout=5).status_code == 401
    assert requests.get(url, verify=ca, auth=("nobody", "correct horse"), timeout=5).status_code == 401
    ok = requests.get(url, verify=ca, auth=("prometheus", "correct horse"), timeout=5)
    assert ok.status_code == 200 and "node_load1" in ok.text
    # Probes stay open so kubelets need no credentials; they reveal nothing.
    assert requests.get(f"https://127.0.0.1:{daemon.port}/healthz", verify=ca, timeout=5).status_code == 200
    assert "correct horse" not in daemon.log()


def test_plain_http_against_tls_port_fails(secured):
    daemon, _ca = secured
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{daemon.port}/metrics", auth=("prometheus", "correct horse"), timeout=5)
    # ... and the daemon is still serving TLS clients afterwards.
    assert daemon.process.poll() is None


def test_untrusted_server_certificate_is_rejected_by_clients(secured):
    daemon, _ca = secured
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"https://127.0.0.1:{daemon.port}/metrics", timeout=5)


def test_client_certificates_required(tmp_path, pki, start_node_exporter):
    config = tmp_path / "mtls.yml"
    config.write_text(f"tls_server_config:\n  cert_file: {pki['server.crt']}\n  key_file: {pki['server.key']}\n"
                      f"  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: {pki['ca.crt']}\n")
    port = free_port()
    client = (str(pki["client.crt"]), str(pki["client.key"]))
    start_node_exporter(f"--web.config.file={config}", port=port, ready=tls_ready(port, str(pki["ca.crt"]),
                                                                                     cert=client))
    url = f"https://127.0.0.1:{port}/metrics"
    assert requests.get(url, verify=str(pki["ca.crt"]), cert=client, timeout=5).status_code == 200
    context = ssl.create_default_context(cafile=str(pki["ca.crt"]))
    with pytest.raises((ssl.SSLError, ConnectionError, urllib.error.URLError)):
        urllib.request.urlopen(url, context=context, timeout=5).read()


def test_min_version_is_enforced(tmp_path, pki, start_node_exporter):
    config = tmp_path / "tls13.yml"
    config.write_text(f"tls_server_config:\n  cert_file: {pki['server.crt']}\n  key_file: {pki['server.key']}\n"
                      f"  min_version: TLS13\n")
    port = free_port()
    start_node_exporter(f"--web.config.file={config}", port=port, ready=tls_ready(port, str(pki["ca.crt"])))
    url = f"https://127.0.0.1:{port}/healthz"
    tls12 = ssl.create_default_context(cafile=str(pki["ca.crt"]))
    tls12.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises((ssl.SSLError, ConnectionError, urllib.error.URLError)):
        urllib.request.urlopen(url, context=tls12, timeout=5).read()
    tls13 = ssl.create_default_context(cafile=str(pki["ca.crt"]))
    assert urllib.request.urlopen(url, context=tls13, timeout=5).read() == b"OK\n"
