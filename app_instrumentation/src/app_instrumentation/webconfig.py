"""The exporter-toolkit web config file (TLS, basic auth) for start_http_server(), with the standard library only.

The file is the YAML the Go exporters and the exporter suite read, read with PyYAML; PyYAML and bcrypt (only
when basic_auth_users is configured) are imported when a web config file is given, and a clear error says to
install them (`pip install 'app-instrumentation[web]'`) when they are missing: an app without a web config file
needs neither.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import ssl
import threading
from dataclasses import dataclass, field

TLS_VERSIONS = {"TLS10": ssl.TLSVersion.TLSv1, "TLS11": ssl.TLSVersion.TLSv1_1, "TLS12": ssl.TLSVersion.TLSv1_2,
                "TLS13": ssl.TLSVersion.TLSv1_3}
CLIENT_AUTH = {"NoClientCert": ssl.CERT_NONE, "RequestClientCert": ssl.CERT_OPTIONAL,
               "RequireAnyClientCert": ssl.CERT_REQUIRED, "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL,
               "RequireAndVerifyClientCert": ssl.CERT_REQUIRED}
_TLS_KEYS = {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version",
             "cipher_suites", "prefer_server_cipher_suites", "curve_preferences", "client_allowed_sans"}
_TOP_KEYS = {"tls_server_config", "http_server_config", "basic_auth_users"}
# The response headers exporter-toolkit lets a web config set.
ALLOWED_HEADERS = {"Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection",
                   "Content-Security-Policy"}
BCRYPT_MISSING = ("basic_auth_users needs the bcrypt package to check its password hashes: "
                  "pip install bcrypt (or pip install 'app-instrumentation[web]')")
YAML_MISSING = ("a web config file is YAML and needs the PyYAML package: "
                "pip install PyYAML (or pip install 'app-instrumentation[web]')")


class WebConfigError(ValueError):
    """The web config file cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class WebConfig:
    """TLS context (or None) and basic auth users (name -> bcrypt hash)."""

    tls: ssl.SSLContext | None = None
    users: dict[str, bytes] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def load(path: str) -> WebConfig:
    """Read and check a web config file; WebConfigError names the file and the reason."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise WebConfigError(f"web config file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise WebConfigError(f"web config file {path}: not UTF-8 text ({exc.reason})") from exc
    try:
        import yaml
    except ImportError as exc:
        raise WebConfigError(YAML_MISSING) from exc
    try:
        raw = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        raise WebConfigError(f"web config file {path}: not valid YAML: {str(exc).splitlines()[0]}") from exc
    try:
        return _build(raw or {}, os.path.dirname(os.path.abspath(path)))
    except WebConfigError as exc:
        raise WebConfigError(f"web config file {path}: {exc}") from exc


def _mapping(value, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise WebConfigError(f"{where} must be a mapping")
    return value


def _build(raw, base: str) -> WebConfig:
    raw = _mapping(raw, "the file")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise WebConfigError(f"unknown field {unknown[0]!r}")
    users = {}
    for user, hashed in _mapping(raw.get("basic_auth_users"), "basic_auth_users").items():
        if not isinstance(hashed, str) or not hashed.startswith(("$2a$", "$2b$", "$2y$")):
            raise WebConfigError(f"basic_auth_users entry for {user!r} is not a bcrypt hash")
        users[str(user)] = hashed.encode()
    if users:
        _bcrypt()
    http = _mapping(raw.get("http_server_config"), "http_server_config")
    unknown = sorted(set(http) - {"http2", "headers"})
    if unknown:
        raise WebConfigError(f"unknown field {unknown[0]!r} in http_server_config")
    headers = {str(k): str(v) for k, v in _mapping(http.get("headers"), "http_server_config.headers").items()}
    refused = sorted(set(headers) - ALLOWED_HEADERS)
    if refused:
        raise WebConfigError(f"header {refused[0]!r} cannot be set in http_server_config.headers")
    return WebConfig(_tls(_mapping(raw.get("tls_server_config"), "tls_server_config"), base), users, headers)


def _tls(raw: dict, base: str) -> ssl.SSLContext | None:
    unknown = sorted(set(raw) - _TLS_KEYS)
    if unknown:
        raise WebConfigError(f"unknown field {unknown[0]!r} in tls_server_config")
    cert, key = raw.get("cert_file"), raw.get("key_file")
    if not cert and not key:
        return None
    if not cert or not key:
        raise WebConfigError(f"missing {'key_file' if cert else 'cert_file'} in tls_server_config")
    cert, key = (p if os.path.isabs(p) else os.path.join(base, p) for p in (str(cert), str(key)))
    auth = raw.get("client_auth_type") or "NoClientCert"
    if auth not in CLIENT_AUTH:
        raise WebConfigError(f"invalid client_auth_type {auth!r}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    for name in ("min_version", "max_version"):
        version = raw.get(name)
        if version is not None and version not in TLS_VERSIONS:
            raise WebConfigError(f"unknown TLS version {version!r} in {name}")
    context.minimum_version = TLS_VERSIONS[raw.get("min_version") or "TLS12"]
    if raw.get("max_version"):
        context.maximum_version = TLS_VERSIONS[raw["max_version"]]
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise WebConfigError(f"cert_file {cert} and key_file {key} are not a usable certificate and key "
                             f"({getattr(exc, 'strerror', None) or getattr(exc, 'reason', None) or exc})") from exc
    client_ca = raw.get("client_ca_file")
    if client_ca:
        client_ca = client_ca if os.path.isabs(client_ca) else os.path.join(base, client_ca)
        try:
            context.load_verify_locations(cafile=client_ca)
        except (OSError, ssl.SSLError) as exc:
            raise WebConfigError(f"client_ca_file {client_ca} holds no usable CA certificate") from exc
    elif auth in ("VerifyClientCertIfGiven", "RequireAndVerifyClientCert"):
        raise WebConfigError(f"client_auth_type {auth} needs client_ca_file")
    if raw.get("cipher_suites"):
        try:
            context.set_ciphers(":".join(raw["cipher_suites"]))
        except ssl.SSLError as exc:
            raise WebConfigError(f"unusable cipher_suites: {exc}") from exc
    context.verify_mode = CLIENT_AUTH[auth]
    return context


def _bcrypt():
    try:
        import bcrypt
    except ImportError as exc:
        raise WebConfigError(BCRYPT_MISSING) from exc
    return bcrypt


class BasicAuth:
    """Checks `Authorization: Basic` headers against the configured bcrypt hashes; results are cached by a
    keyed digest of the pair (bcrypt costs tens of milliseconds, a scrape every few seconds repeats it)."""

    def __init__(self, users: dict[str, bytes]) -> None:
        self.users = users
        self._bcrypt = _bcrypt()
        self._dummy = self._bcrypt.hashpw(b"dummy-password", self._bcrypt.gensalt(rounds=4))
        self._key = os.urandom(32)
        self._cache: dict[bytes, bool] = {}
        self._lock = threading.Lock()

    def allowed(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        digest = hmac.new(self._key, f"{user}\0{password}".encode(), hashlib.sha256).digest()
        with self._lock:
            known = self._cache.get(digest)
        if known is not None:
            return known
        hashed = self.users.get(user)
        ok = self._bcrypt.checkpw(password.encode(), hashed or self._dummy) and hashed is not None
        with self._lock:
            if len(self._cache) > 1000:
                self._cache.clear()
            self._cache[digest] = ok
        return ok
