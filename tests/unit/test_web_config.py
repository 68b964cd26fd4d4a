"""The exporter-toolkit web config file: what is accepted, what is refused (and how it says so)."""

from __future__ import annotations

import bcrypt
import pytest

from exporter_toolkit.errors import ConfigError
from exporter_toolkit.web_config import WebConfigWatcher, load, parse

HASH = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(rounds=4)).decode()


def test_basic_auth_users_parsed():
    config = parse(f"basic_auth_users:\n  alice: {HASH}\n")
    assert set(config.users) == {"alice"}
    assert config.tls is None


@pytest.mark.parametrize(("text", "message"), [
    ("tls_server_config:\n  cert_file: a.crt\n", "missing key_file"),
    ("tls_server_config:\n  key_file: a.key\n", "missing cert_file"),
    ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Sometimes\n", "invalid client_auth_type"),
    ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n",
     "needs client_ca_file"),
    ("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS99\n", "unknown TLS version"),
    ("tls_server_config:\n  cert_fil: a\n", "unknown field 'cert_fil'"),
    ("basic_auth_users:\n  bob: hunter2\n", "is not a bcrypt hash"),
    ("basic_auth_user:\n  bob: x\n", "unknown field 'basic_auth_user'"),
    ("http_server_config:\n  headers:\n    Authorization: x\n", "may not be set"),
    ("basic_auth_users: [a, b]\n", "must be a mapping"),
    ("tls_server_config: {cert_file: a\n", "invalid YAML"),
])
def test_invalid_configs_are_refused_with_a_clear_message(text, message):
    with pytest.raises(ConfigError, match=message):
        parse(text)


def test_plaintext_password_is_never_echoed():
    with pytest.raises(ConfigError) as raised:
        parse("basic_auth_users:\n  bob: hunter2\n")
    assert "hunter2" not in str(raised.value)


def test_missing_file_and_unloadable_certificates_name_the_file_and_the_reason(tmp_path):
    absent = tmp_path / "absent.yml"
    with pytest.raises(ConfigError, match=f"^{absent}: file not found$"):
        load(str(absent))
    with pytest.raises(ConfigError, match=f"^{tmp_path}: is a directory$"):
        load(str(tmp_path))
    config = tmp_path / "web.yml"
    config.write_text("tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n")
    with pytest.raises(ConfigError, match=f"^{config}: cert_file {tmp_path / 'nope.crt'}: file not found$"):
        load(str(config))
    (tmp_path / "nope.crt").write_text("not a certificate\n")
    (tmp_path / "nope.key").write_text("not a key\n")
    with pytest.raises(ConfigError, match="are not a usable certificate and key"):
        load(str(config))


def test_watcher_checks_passwords_and_reloads_on_change(tmp_path):
    path = tmp_path / "web.yml"
    path.write_text(f"basic_auth_users:\n  alice: {HASH}\n")
    watcher = WebConfigWatcher(str(path))
    assert watcher.check_basic_auth("alice", "s3cret")
    assert not watcher.check_basic_auth("alice", "wrong")
    assert not watcher.check_basic_auth("mallory", "s3cret")
    other = bcrypt.hashpw(b"new", bcrypt.gensalt(rounds=4)).decode()
    path.write_text(f"basic_auth_users:\n  carol: {other}\n")
    import os
    os.utime(path, ns=(1, 1))  # a distinct mtime even on coarse-grained filesystems
    assert watcher.check_basic_auth("carol", "new")
    assert not watcher.check_basic_auth("alice", "s3cret")


def test_watcher_keeps_previous_config_when_edit_is_broken(tmp_path):
    path = tmp_path / "web.yml"
    path.write_text(f"basic_auth_users:\n  alice: {HASH}\n")
    watcher = WebConfigWatcher(str(path))
    path.write_text("basic_auth_users: {broken\n")
    import os
    os.utime(path, ns=(2, 2))
    assert watcher.check_basic_auth("alice", "s3cret")
