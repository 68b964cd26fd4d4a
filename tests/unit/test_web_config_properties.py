"""Property test of the web config schema: generated configs, each field valid or not by Go exporter-toolkit's
rules (the generator knows which), are accepted exactly when every field is; a refusal is one ConfigError line
that never echoes a password."""

from __future__ import annotations

import bcrypt
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from exporter_toolkit.errors import ConfigError
from exporter_toolkit.web_config import parse

HASH = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode()
PLAINTEXT = "hunter2-plaintext"


def field(valid: list, invalid: list) -> st.SearchStrategy:
    """(present, value, ok): absent, one of the valid values, or one of the invalid ones."""
    options = [st.just((False, None, True))]
    if valid:
        options.append(st.sampled_from(valid).map(lambda value: (True, value, True)))
    if invalid:
        options.append(st.sampled_from(invalid).map(lambda value: (True, value, False)))
    return st.one_of(options)


AUTH = ["NoClientCert", "RequestClientCert", "RequireAnyClientCert", "RequireClientCert", "VerifyClientCertIfGiven",
        "RequireAndVerifyClientCert"]
TLS_FIELDS = {
    "cert_file": field(["server.crt"], []),
    "key_file": field(["server.key"], []),
    "client_auth_type": field(AUTH, ["Sometimes", "requireanyclientcert"]),
    "client_ca_file": field(["ca.crt"], []),
    "min_version": field(["TLS10", "TLS12", "TLS13"], ["TLS99", 12, "tls12"]),
    "max_version": field(["TLS13"], ["SSL3"]),
    "cipher_suites": field([["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], ["TLS_AES_256_GCM_SHA384"], []],
                           [["TLS_RSA_WITH_RC4_128_SHA"], "TLS_AES_256_GCM_SHA384", ["AES128-SHA"]]),
    "curve_preferences": field([["X25519", "CurveP256"]], [["P-256"], ["x25519"]]),
    "prefer_server_cipher_suites": field([True, False, "y", "n"], ["maybe", 2]),
    "bogus_field": field([], ["x"]),
}
HTTP_FIELDS = {
    "http2": field([True, False, "y", "N"], ["maybe", 1, "enabled"]),
    "headers": field([{"X-Frame-Options": "deny"}, {"Strict-Transport-Security": "max-age=1"}],
                     [{"X-Frame-Options": "allow"}, {"Authorization": "x"}, {"X-Content-Type-Options": ["nosniff"]}]),
}
USERS = field([{"alice": HASH}, {"alice": HASH, "bob": f"$2x{HASH[3:]}"}],
              [{"alice": PLAINTEXT}, {"alice": HASH[:40]}, {"alice": f"$2b$03{HASH[6:]}"}, {"alice": ["x"]}])


def section(fields: dict) -> st.SearchStrategy:
    return st.fixed_dictionaries(fields)


def tls_ok(drawn: dict) -> bool:
    if not all(ok for _present, _value, ok in drawn.values()):
        return False
    values = {name: value for name, (present, value, _ok) in drawn.items() if present}
    if not any(values.get(name) for name in ("cert_file", "key_file", "client_auth_type", "client_ca_file")):
        return True
    if "cert_file" not in values or "key_file" not in values:
        return False
    auth = values.get("client_auth_type", "NoClientCert")
    if "client_ca_file" in values and auth == "NoClientCert":
        return False
    return not ("client_ca_file" not in values and auth in ("VerifyClientCertIfGiven", "RequireAndVerifyClientCert"))


@settings(max_examples=300, deadline=None, database=None)
@given(tls=st.one_of(st.none(), section(TLS_FIELDS)), http=st.one_of(st.none(), section(HTTP_FIELDS)), users=USERS)
def test_web_config_schema_decided_by_every_field(tls, http, users):
    document: dict = {}
    if tls is not None:
        document["tls_server_config"] = {name: value for name, (present, value, _ok) in tls.items() if present}
    if http is not None:
        document["http_server_config"] = {name: value for name, (present, value, _ok) in http.items() if present}
    if users[0]:
        document["basic_auth_users"] = users[1]
    expected = (tls is None or tls_ok(tls)) and (http is None or all(ok for _p, _v, ok in http.values())) \
        and users[2]
    text = yaml.safe_dump(document)
    try:
        parse(text)
        accepted, message = True, ""
    except ConfigError as exc:
        accepted, message = False, str(exc)
    assert accepted == expected, (text, message)
    assert "\n" not in message and PLAINTEXT not in message
