"""The exporter-toolkit web configuration file: TLS, client certificates, basic auth, response headers.

The file is YAML with the same keys as Go's exporter-toolkit, so one file serves both implementations.
Unknown keys are errors (Go decodes strictly). Relative paths are relative to the file's directory.
The file is re-read when it changes, so rotated certificates and new users need no restart.
PyYAML and bcrypt are imported when a file is read or a password checked: without --web.config.file a daemon
never loads them (1.5 MB of resident memory, measured on the MySQL exporter).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import ssl
import threading
from dataclasses import dataclass, field

from exporter_toolkit.errors import ConfigError, os_reason

CLIENT_AUTH_TYPES = {
    "NoClientCert": ssl.CERT_NONE,
    "RequestClientCert": ssl.CERT_OPTIONAL,
    "RequireAnyClientCert": ssl.CERT_REQUIRED,
    "RequireClientCert": ssl.CERT_REQUIRED,  # Go's old name for RequireAnyClientCert, still accepted
    "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL,
    "RequireAndVerifyClientCert": ssl.CERT_REQUIRED,
}
TLS_VERSIONS = {
    "TLS10": ssl.TLSVersion.TLSv1,
    "TLS11": ssl.TLSVersion.TLSv1_1,
    "TLS12": ssl.TLSVersion.TLSv1_2,
    "TLS13": ssl.TLSVersion.TLSv1_3,
}
# Go's tls.CipherSuites() (the suites it calls secure) by the names the config uses, with OpenSSL's names; the
# TLS 1.3 suites are accepted and, as in Go, not configurable.
CIPHER_SUITES = {
    "TLS_RSA_WITH_AES_128_CBC_SHA": "AES128-SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA": "AES256-SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256": "AES128-GCM-SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384": "AES256-GCM-SHA384",
    "TLS_AES_128_GCM_SHA256": "",
    "TLS_AES_256_GCM_SHA384": "",
    "TLS_CHACHA20_POLY1305_SHA256": "",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": "ECDHE-ECDSA-AES128-SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": "ECDHE-ECDSA-AES256-SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": "ECDHE-RSA-AES128-SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": "ECDHE-RSA-AES256-SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": "ECDHE-ECDSA-AES128-GCM-SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": "ECDHE-ECDSA-AES256-GCM-SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": "ECDHE-RSA-AES128-GCM-SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": "ECDHE-RSA-AES256-GCM-SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-RSA-CHACHA20-POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": "ECDHE-ECDSA-CHACHA20-POLY1305",
}
CURVES = {"CurveP256", "CurveP384", "CurveP521", "X25519"}
# Headers the toolkit lets users set, with the values it allows where the header is an enumeration.
HEADERS: dict[str, tuple[str, ...]] = {
    "Strict-Transport-Security": (), "X-Content-Type-Options": ("nosniff",),
    "X-Frame-Options": ("deny", "sameorigin"), "X-XSS-Protection": (), "Content-Security-Policy": (),
}
# Larger files are refused before parsing: the biggest real config is a few kilobytes (Go has no limit, but
# parsing megabytes of YAML here would take seconds of CPU on every reload).
MAX_BYTES = 1 << 20
_YAML_BOOLS = {"y": True, "Y": True, "n": False, "N": False}  # YAML 1.1 booleans Go's yaml.v2 knows, PyYAML not
_TLS_KEYS = {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version",
             "cipher_suites", "prefer_server_cipher_suites", "curve_preferences", "client_allowed_sans"}
_HTTP_KEYS = {"http2", "headers"}
_TOP_KEYS = {"tls_server_config", "http_server_config", "basic_auth_users"}
# A valid bcrypt hash (of a random password, cost 10) compared against when the user is unknown, so a wrong user
# costs as much as a wrong password.
_DUMMY_HASH = b"$2b$10$jJxMBgYbGboi0xu4rU64j.oe/PCZ8ohwLVk9V4r6SWvjvv0djSuqO"


@dataclass(frozen=True)
class TLSConfig:
    cert_file: str
    key_file: str
    client_auth_type: str = "NoClientCert"
    client_ca_file: str | None = None
    min_version: str = "TLS12"
    max_version: str | None = None
    cipher_suites: tuple[str, ...] = ()

    def context(self) -> ssl.SSLContext:
        """A server SSLContext; raises ConfigError naming the file that cannot be used and why."""
        for key, path in (("cert_file", self.cert_file), ("key_file", self.key_file),
                          ("client_ca_file", self.client_ca_file)):
            if path:
                try:
                    with open(path, "rb"):
                        pass
                except OSError as exc:
                    raise ConfigError(f"{key} {path}: {os_reason(exc)}") from exc
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = TLS_VERSIONS[self.min_version]
        if self.max_version:
            ctx.maximum_version = TLS_VERSIONS[self.max_version]
        try:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"cert_file {self.cert_file} and key_file {self.key_file} are not a usable certificate "
                              f"and key ({_ssl_reason(exc)})") from exc
        if self.client_ca_file:
            try:
                ctx.load_verify_locations(cafile=self.client_ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigError(f"client_ca_file {self.client_ca_file} holds no usable CA certificate "
                                  f"({_ssl_reason(exc)})") from exc
        openssl_names = [CIPHER_SUITES[name] for name in self.cipher_suites if CIPHER_SUITES[name]]
        if openssl_names:
            try:
                ctx.set_ciphers(":".join(openssl_names))
            except ssl.SSLError as exc:
                raise ConfigError(f"unusable cipher_suites: {exc}") from exc
        ctx.verify_mode = CLIENT_AUTH_TYPES[self.client_auth_type]
        return ctx


def _ssl_reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason).lower().replace("_", " ") if reason else str(exc)


@dataclass(frozen=True)
class WebConfig:
    tls: TLSConfig | None = None
    users: dict[str, bytes] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def _expect_mapping(value: object, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a mapping")
    return value


def _reject_unknown(section: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise ConfigError(f"unknown field {unknown[0]!r} in {where}")


def _resolve(path: str, base: str) -> str:
    return path if os.path.isabs(path) else os.path.join(base, path)


def _flag(section: dict, key: str, where: str) -> bool | None:
    """A YAML boolean as Go's yaml.v2 reads one (also y/n); None when absent."""
    value = section.get(key)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value in _YAML_BOOLS:
        return _YAML_BOOLS[value]
    raise ConfigError(f"{key} in {where} must be true or false, got {value!r}")


def _names(section: dict, key: str, known, what: str) -> tuple[str, ...]:
    value = section.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(f"{key} in tls_server_config must be a list")
    for name in value:
        if not isinstance(name, str) or name not in known:
            raise ConfigError(f"unknown {what} {name!r} in {key}")
    return tuple(value)


def _scalar(value: object, where: str) -> str:
    if isinstance(value, (dict, list)):
        raise ConfigError(f"{where} must be a string")
    return "" if value is None else str(value)


def _parse_tls(raw: dict, base: str) -> TLSConfig | None:
    if not raw:
        return None
    _reject_unknown(raw, _TLS_KEYS, "tls_server_config")
    cert = _scalar(raw.get("cert_file"), "cert_file")
    key = _scalar(raw.get("key_file"), "key_file")
    auth = _scalar(raw.get("client_auth_type"), "client_auth_type")
    client_ca = _scalar(raw.get("client_ca_file"), "client_ca_file")
    for key_name in ("min_version", "max_version"):
        if raw.get(key_name) is not None and raw[key_name] not in TLS_VERSIONS:
            raise ConfigError(f"unknown TLS version {raw[key_name]!r} in {key_name}")
    cipher_suites = _names(raw, "cipher_suites", CIPHER_SUITES, "cipher")
    _names(raw, "curve_preferences", CURVES, "curve")
    _flag(raw, "prefer_server_cipher_suites", "tls_server_config")
    if not (cert or key or auth or client_ca):
        return None
    if not cert:
        raise ConfigError("missing cert_file in tls_server_config")
    if not key:
        raise ConfigError("missing key_file in tls_server_config")
    auth = auth or "NoClientCert"
    if auth not in CLIENT_AUTH_TYPES:
        raise ConfigError(f"invalid client_auth_type {auth!r}")
    if client_ca and auth == "NoClientCert":
        raise ConfigError("client_ca_file is set without a client_auth_type that asks for client certificates")
    if not client_ca and auth in ("VerifyClientCertIfGiven", "RequireAndVerifyClientCert"):
        raise ConfigError(f"client_auth_type {auth} needs client_ca_file")
    return TLSConfig(
        cert_file=_resolve(cert, base),
        key_file=_resolve(key, base),
        client_auth_type=auth,
        client_ca_file=_resolve(client_ca, base) if client_ca else None,
        min_version=raw.get("min_version") or "TLS12",
        max_version=raw.get("max_version"),
        cipher_suites=cipher_suites,
    )


def _cost_at(hashed: bytes) -> int:
    """Where Go's bcrypt reads the cost: after `$2$`, or after `$2a$` (any one version letter)."""
    return 3 if hashed[2:3] == b"$" else 4


def bcrypt_problem(hashed: bytes) -> str:
    """Why Go's bcrypt.Cost() refuses a hash at startup ("" when it does not): length, prefix, version, cost."""
    if len(hashed) < 59:
        return "too short"
    if hashed[:1] != b"$":
        return "no $ prefix"
    if hashed[1:2] > b"2":
        return "unknown bcrypt version"
    start = _cost_at(hashed)
    cost = hashed[start:start + 2]
    if not re.fullmatch(rb"[+-]?[0-9]+", cost) or not 4 <= int(cost) <= 31:
        return "no cost from 04 to 31"
    return ""


def _checkable(hashed: bytes) -> bytes:
    """The hash in the form the bcrypt module verifies: Go compares whatever version a hash carries with the
    same algorithm, so `$2$`, `$2x$`... are read as `$2b$`."""
    start = _cost_at(hashed)
    return b"$2b$%02d$" % int(hashed[start:start + 2]) + hashed[start + 3:]


def _parse_users(raw: dict) -> dict[str, bytes]:
    users: dict[str, bytes] = {}
    for user, hashed in raw.items():
        if isinstance(hashed, (dict, list)):
            raise ConfigError(f"basic_auth_users entry for {user!r} must be a string")
        hashed_bytes = ("" if hashed is None else str(hashed)).encode()
        problem = bcrypt_problem(hashed_bytes)
        if problem:
            # Never echo the value: it may be a plaintext password put there by mistake.
            raise ConfigError(f"basic_auth_users entry for {user!r} is not a bcrypt hash ({problem})")
        users[str(user)] = hashed_bytes
    return users


def _parse_headers(raw: dict) -> dict[str, str]:
    headers = {}
    for name, value in raw.items():
        if name not in HEADERS:
            raise ConfigError(f"header {name!r} may not be set in http_server_config")
        text = _scalar(value, f"header {name}")
        if HEADERS[name] and text not in HEADERS[name]:
            raise ConfigError(f"header {name} must be one of {', '.join(HEADERS[name])}, got {text!r}")
        headers[str(name)] = text
    return headers


@functools.cache
def _loader() -> type:
    """libyaml's parser when PyYAML has it (a hundred times faster), refusing repeated keys as Go's strict
    decoding does; built on first use, so a daemon without a web config file never imports PyYAML."""
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, (str, int, float, bool)) or key is None:
                    if key in seen:
                        raise ConfigError(f"key {key!r} repeated at line {key_node.start_mark.line + 1}")
                    seen.add(key)
            return super().construct_mapping(node, deep)

    Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_yaml_map)
    return Loader


def parse(text: str, base_dir: str = ".") -> WebConfig:
    """Parse and validate a web config document."""
    import yaml

    try:
        doc = yaml.load(text, Loader=_loader())  # a safe loader (SafeLoader or CSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        raise ConfigError(f"invalid YAML{where}" + (f": {problem}" if problem else "")) from exc
    except RecursionError as exc:
        raise ConfigError("invalid YAML: nested too deeply") from exc
    doc = _expect_mapping(doc, "the document")
    _reject_unknown(doc, _TOP_KEYS, "the document")
    http = _expect_mapping(doc.get("http_server_config"), "http_server_config")
    _reject_unknown(http, _HTTP_KEYS, "http_server_config")
    _flag(http, "http2", "http_server_config")
    return WebConfig(
        tls=_parse_tls(_expect_mapping(doc.get("tls_server_config"), "tls_server_config"), base_dir),
        users=_parse_users(_expect_mapping(doc.get("basic_auth_users"), "basic_auth_users")),
        headers=_parse_headers(_expect_mapping(http.get("headers"), "headers")),
    )


def load(path: str) -> WebConfig:
    """Read, parse and validate the file; TLS files are loaded once to prove they are usable. Errors name the file:
    "<path>: file not found", "<path>: unknown field 'x' in the document", "<path>: cert_file <cert>: ..."."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: {os_reason(exc)}") from exc
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_BYTES >> 20} MiB, not a web config")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a text file (not UTF-8)") from exc
    try:
        config = parse(text, os.path.dirname(os.path.abspath(path)))
        if config.tls:
            config.tls.context()
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return config


class WebConfigWatcher:
    """Holds the current config and reloads it when the file's mtime changes; a bad edit keeps the old one."""

    def __init__(self, path: str | None, logger=None) -> None:
        self.path = path
        self._logger = logger
        self._lock = threading.Lock()
        self._mtime = self._stat()
        self.config = load(path) if path else WebConfig()
        self._auth_cache: dict[tuple[str, bytes], bool] = {}

    def _stat(self) -> float | None:
        if not self.path:
            return None
        try:
            return os.stat(self.path).st_mtime_ns
        except OSError:
            return None

    def current(self) -> WebConfig:
        if not self.path:
            return self.config
        mtime = self._stat()
        if mtime != self._mtime:
            with self._lock:
                if mtime != self._mtime:
                    self._mtime = mtime
                    try:
                        self.config = load(self.path)
                        self._auth_cache.clear()
                    except ConfigError as exc:
                        if self._logger:
                            self._logger.error("keeping previous web config", extra={"err": str(exc)})
        return self.config

    def check_basic_auth(self, user: str, password: str) -> bool:
        """bcrypt-verify a user; successful and failed checks are cached by a digest of the pair."""
        import bcrypt

        users = self.current().users
        digest = hashlib.sha256(password.encode()).digest()
        key = (user, digest)
        cached = self._auth_cache.get(key)
        if cached is not None:
            return cached
        hashed = users.get(user)
        try:
            ok = bcrypt.checkpw(password.encode(), _checkable(hashed) if hashed else _DUMMY_HASH) and hashed is not None
        except ValueError:  # a hash Go accepts at startup but nobody's password can match (a broken salt, say)
            ok = False
        if len(self._auth_cache) > 1024:
            self._auth_cache.clear()
        self._auth_cache[key] = ok
        return ok

    @property
    def auth_required(self) -> bool:
        return bool(self.current().users)
