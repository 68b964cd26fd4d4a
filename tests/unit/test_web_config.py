"""The exporter-toolkit web config file: what is accepted, what is refused (and how it says so)."""

from __future__ import annotations

import subprocess
import sys

import bcrypt
import pytest

from exporter_toolkit.errors import ConfigError
from exporter_toolkit.web_config import WebConfigWatcher, load, parse

# bcrypt of "s3cret" at cost 4, fixed: parametrised cases built from it must be the same in every pytest-xdist worker
HASH = "$2b$04$D7Tfxqym5c.DnAK5hYkCGeRROS34t1WpHVDrd.E2XGkI/3d6wsRSS"


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
    # Refused by Go's exporter-toolkit too (issue 26):
    ("http_server_config:\n  http2: maybe\n", "http2 in http_server_config must be true or false, got 'maybe'"),
    ("http_server_config:\n  http2: 1\n", "http2 .* must be true or false"),
    ("tls_server_config:\n  cert_file: a\n  key_file: b\n  prefer_server_cipher_suites: sometimes\n",
     "prefer_server_cipher_suites .* must be true or false"),
    ("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n",
     "unknown cipher 'TLS_RSA_WITH_RC4_128_SHA'"),
    ("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [ECDHE-RSA-AES128-GCM-SHA256]\n",
     "unknown cipher"),
    ("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: TLS_AES_128_GCM_SHA256\n", "must be a list"),
    ("tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [P256]\n", "unknown curve 'P256'"),
    ("tls_server_config:\n  client_auth_type: RequireAnyClientCert\n", "missing cert_file"),
    ("tls_server_config:\n  client_ca_file: ca.crt\n", "missing cert_file"),
    ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: ca.crt\n",
     "client_ca_file is set without a client_auth_type"),
    ("basic_auth_users:\n  bob: $2b$10$tooshort\n", r"not a bcrypt hash \(too short\)"),
    (f"basic_auth_users:\n  bob: '$2b$32{HASH[6:]}'\n", r"not a bcrypt hash \(no cost from 04 to 31\)"),
    (f"basic_auth_users:\n  bob: 'x{HASH[1:]}'\n", r"not a bcrypt hash \(no \$ prefix\)"),
    (f"basic_auth_users:\n  bob: '$3{HASH[2:]}'\n", r"not a bcrypt hash \(unknown bcrypt version\)"),
    ("basic_auth_users:\n  bob: 5\n", "not a bcrypt hash"),
    ("basic_auth_users:\n  bob: [a]\n", "must be a string"),
    (f"basic_auth_users:\n  bob: {HASH}\n  bob: {HASH}\n", "key 'bob' repeated at line 3"),
    ("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", "X-Frame-Options must be one of deny, sameor"),
    ("http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n", "must be one of nosniff"),
    ("a: " + "[" * 200_000 + "]" * 200_000 + "\n", "nesting depth"),
    ("x:\n" + "".join(" " * depth + "k:\n" for depth in range(1, 3000)), "nesting depth"),
])
def test_invalid_configs_are_refused_with_a_clear_message(text, message):
    with pytest.raises(ConfigError, match=message):
        parse(text)


@pytest.mark.parametrize("text", [
    "http_server_config:\n  http2: y\n", "http_server_config:\n  http2: no\n", "http_server_config:\n  http2: true\n",
    "http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Content-Security-Policy: default-src 'self'\n",
    "tls_server_config:\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n  curve_preferences: [X25519]\n",
    "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireClientCert\n",
    f"basic_auth_users:\n  bob: '$2x{HASH[3:]}'\n  eve: '$2{HASH[3:]}'\n",
])
def test_configs_go_accepts_are_accepted(text):
    parse(text)


def test_go_cipher_names_reach_openssl(tmp_path):
    from tests.tls import make_pki

    pki = make_pki(tmp_path)
    config = parse(f"tls_server_config:\n  cert_file: {pki['server.crt']}\n  key_file: {pki['server.key']}\n"
                   "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256]\n")
    names = {cipher["name"] for cipher in config.tls.context().get_ciphers() if cipher["protocol"] == "TLSv1.2"}
    assert names == {"ECDHE-RSA-AES256-GCM-SHA384"}


def test_hashes_go_reads_as_bcrypt_verify_here(tmp_path):
    path = tmp_path / "web.yml"
    path.write_text(f"basic_auth_users:\n  bob: '$2x{HASH[3:]}'\n  eve: '$2{HASH[3:]}'\n")
    watcher = WebConfigWatcher(str(path))
    assert watcher.check_basic_auth("bob", "s3cret") and watcher.check_basic_auth("eve", "s3cret")
    assert not watcher.check_basic_auth("bob", "wrong")


def test_huge_or_binary_files_are_refused_before_parsing(tmp_path):
    huge = tmp_path / "huge.yml"
    huge.write_text("basic_auth_users:\n" + f"  u: {HASH}\n" * 200_000)
    with pytest.raises(ConfigError, match=f"^{huge}: larger than 1 MiB, not a web config$"):
        load(str(huge))
    binary = tmp_path / "binary.yml"
    binary.write_bytes(b"basic_auth_users:\n  \xff: x\n")
    with pytest.raises(ConfigError, match=f"^{binary}: not a text file"):
        load(str(binary))


@pytest.mark.parametrize(("name", "content"), [
    ("http2.yml", "http_server_config:\n  http2: maybe\n"),
    ("deep.yml", "a: " + "[" * 200_000 + "]" * 200_000 + "\n"),
    ("huge.yml", "basic_auth_users:\n" + "  u: x\n" * 2_000_000),
    ("cipher.yml", "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [NOPE]\n"),
    ("short.yml", "basic_auth_users:\n  bob: $2y$10$abc\n"),
])
def test_bad_web_config_exits_2_with_one_line_naming_the_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    result = subprocess.run([sys.executable, "-m", "node_exporter", "--web.listen-address=127.0.0.1:0",
                             f"--web.config.file={path}"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"node-exporter: error: --web.config.file {path}: ")


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
