"""The library's own web config reader: the errors named, PyYAML needed only for a web config file and bcrypt
only when hashes are configured; and start_http_server() with it."""

from __future__ import annotations

import sys

import bcrypt
import pytest
import requests

from app_instrumentation import counter, start_http_server
from app_instrumentation.testing import fresh_registry
from app_instrumentation.webconfig import BCRYPT_MISSING, YAML_MISSING, WebConfigError, load
from tests.tls import make_pki
from tests.unit.app_instrumentation.metrics_proto import by_name
from tests.unit.app_instrumentation.test_protobuf import PROMETHEUS_ACCEPT


def test_a_web_config_without_pyyaml_installed_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "web.yml"
    path.write_text("basic_auth_users: {}\n")
    assert load(str(path)).users == {}
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(WebConfigError, match="pip install PyYAML") as caught:
        load(str(path))
    assert YAML_MISSING in str(caught.value)


@pytest.mark.parametrize(("text", "reason"), [
    ("tls_server_config:\n  cert_file: a.crt\n", "missing key_file"),
    ("nonsense: 1\n", "unknown field 'nonsense'"),
    ("tls_server_config: [unclosed\n", "not valid YAML"),
    ("basic_auth_users:\n  bob: hunter2\n", "is not a bcrypt hash"),
    ("tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n", "not a usable certificate"),
    ("tls_server_config:\n  client_auth_type: Sometimes\n  cert_file: a\n  key_file: b\n", "invalid client_auth_type"),
    ("http_server_config:\n  headers:\n    Authorization: x\n", "header 'Authorization' cannot be set"),
])
def test_bad_files_are_named_with_the_reason(tmp_path, text, reason):
    path = tmp_path / "web.yml"
    path.write_text(text)
    with pytest.raises(WebConfigError, match=reason) as caught:
        load(str(path))
    assert str(path) in str(caught.value)


def test_a_hash_without_bcrypt_installed_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "web.yml"
    path.write_text(f"basic_auth_users:\n  prometheus: {bcrypt.hashpw(b'pw', bcrypt.gensalt(rounds=4)).decode()}\n")
    monkeypatch.setitem(sys.modules, "bcrypt", None)
    with pytest.raises(WebConfigError, match="pip install bcrypt") as caught:
        start_http_server(0, addr="127.0.0.1", web_config_file=str(path))
    assert BCRYPT_MISSING in str(caught.value)
    # TLS alone needs no bcrypt
    pki = make_pki(tmp_path)
    path.write_text(f"tls_server_config:\n  cert_file: {pki['server.crt']}\n  key_file: {pki['server.key']}\n")
    server = start_http_server(0, addr="127.0.0.1", registry=fresh_registry(), web_config_file=str(path))
    try:
        assert requests.get(f"https://127.0.0.1:{server.port}/metrics", verify=str(pki["ca.crt"]),
                            timeout=5).status_code == 200
    finally:
        server.stop()


def test_standalone_server_negotiates_protobuf_over_tls_with_basic_auth(tmp_path):
    pki = make_pki(tmp_path)
    hashed = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode()
    path = tmp_path / "web.yml"
    path.write_text(f"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                    f"basic_auth_users:\n  prometheus: '{hashed}'\n"  # paths relative to the file
                    "http_server_config:\n  headers:\n    X-Frame-Options: deny\n")
    registry = fresh_registry()
    counter("served_total", "x", registry=registry).inc()
    server = start_http_server(0, addr="127.0.0.1", registry=registry, web_config_file=str(path))
    try:
        url = f"https://127.0.0.1:{server.port}/metrics"
        assert requests.get(url, verify=str(pki["ca.crt"]), auth=("prometheus", "no"), timeout=5).status_code == 401
        scraped = requests.get(url, verify=str(pki["ca.crt"]), auth=("prometheus", "pw"), timeout=5,
                               headers={"Accept": PROMETHEUS_ACCEPT})
        assert scraped.status_code == 200 and scraped.headers["X-Frame-Options"] == "deny"
        assert by_name(scraped.content)["served_total"].metric[0].counter.value == 1
    finally:
        server.stop()
        assert server.wait_stopped(10)
