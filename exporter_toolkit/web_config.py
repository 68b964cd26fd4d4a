"""The exporter-toolkit web configuration file: TLS, client certificates, basic auth, response headers.

The file is YAML with the same keys as Go's exporter-toolkit, so one file serves both implementations.
Unknown keys are errors (Go decodes strictly). Relative paths are relative to the file's directory.
The file is re-read when it changes, so rotated certificates and new users need no restart.
PyYAML and bcrypt are imported when a file is read or a password checked: without --web.config.file a daemon
never loads them (1.5 MB of resident memory, measured on the MySQL exporter).
"""

from __future__ import annotations

import hashlib
import os
import ssl
import threading
from dataclasses import dataclass, field

from exporter_toolkit.errors import ConfigError, os_reason

CLIENT_AUTH_TYPES = {
    "NoClientCert": ssl.CERT_NONE,
    "RequestClientCert": ssl.CERT_OPTIONAL,
    "RequireAnyClientCert": ssl.CERT_REQUIRED,
    "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL,
    "RequireAndVerifyClientCert": ssl.CERT_REQUIRED,
}
TLS_VERSIONS = {
    "TLS10": ssl.TLSVersion.TLSv1,
    "TLS11": ssl.TLSVersion.TLSv1_1,
    "TLS12": ssl.TLSVersion.TLSv1_2,
    "TLS13": ssl.TLSVersion.TLSv1_3,
}
_TLS_KEYS = {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version",
             "cipher_suites", "prefer_server_cipher_suites", "curve_preferences", "client_allowed_sans"}
_HTTP_KEYS = {"http2", "headers"}
_TOP_KEYS = {"tls_server_config", "http_server_config", "basic_auth_users"}
# Headers the toolkit lets users set; Go refuses the ones it manages itself (e.g. Authorization).
_ALLOWED_HEADERS = {"Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection",
                    "Content-Security-Policy"}
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
        if self.cipher_suites:
            try:
                ctx.set_ciphers(":".join(self.cipher_suites))
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


def _parse_tls(raw: dict, base: str) -> TLSConfig | None:
    if not raw:
        return None
    _reject_unknown(raw, _TLS_KEYS, "tls_server_config")
    cert, key = raw.get("cert_file"), raw.get("key_file")
    if not cert and not key:
        return None
    if not cert:
        raise ConfigError("missing cert_file in tls_server_config")
    if not key:
        raise ConfigError("missing key_file in tls_server_config")
    auth = raw.get("client_auth_type") or "NoClientCert"
    if auth not in CLIENT_AUTH_TYPES:
        raise ConfigError(f"invalid client_auth_type {auth!r}")
    client_ca = raw.get("client_ca_file")
    if client_ca is None and auth in ("VerifyClientCertIfGiven", "RequireAndVerifyClientCert"):
        raise ConfigError(f"client_auth_type {auth} needs client_ca_file")
    for key_name in ("min_version", "max_version"):
        if raw.get(key_name) is not None and raw[key_name] not in TLS_VERSIONS:
            raise ConfigError(f"unknown TLS version {raw[key_name]!r} in {key_name}")
    return TLSConfig(
        cert_file=_resolve(str(cert), base),
        key_file=_resolve(str(key), base),
        client_auth_type=auth,
        client_ca_file=_resolve(str(client_ca), base) if client_ca else None,
        min_version=raw.get("min_version") or "TLS12",
        max_version=raw.get("max_version"),
        cipher_suites=tuple(raw.get("cipher_suites") or ()),
    )


def _parse_users(raw: dict) -> dict[str, bytes]:
    users: dict[str, bytes] = {}
    for user, hashed in raw.items():
        hashed_bytes = str(hashed).encode()
        if not hashed_bytes.startswith((b"$2a$", b"$2b$", b"$2y$")):
            # Never echo the value: it may be a plaintext password put there by mistake.
            raise ConfigError(f"basic_auth_users entry for {user!r} is not a bcrypt hash")
        users[str(user)] = hashed_bytes
    return users


def _parse_headers(raw: dict) -> dict[str, str]:
    for name in raw:
        if name not in _ALLOWED_HEADERS:
            raise ConfigError(f"header {name!r} may not be set in http_server_config")
    return {str(k): str(v) for k, v in raw.items()}


def parse(text: str, base_dir: str = ".") -> WebConfig:
    """Parse and validate a web config document."""
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"invalid YAML{where}") from exc
    doc = _expect_mapping(doc, "the document")
    _reject_unknown(doc, _TOP_KEYS, "the document")
    http = _expect_mapping(doc.get("http_server_config"), "http_server_config")
    _reject_unknown(http, _HTTP_KEYS, "http_server_config")
    return WebConfig(
        tls=_parse_tls(_expect_mapping(doc.get("tls_server_config"), "tls_server_config"), base_dir),
        users=_parse_users(_expect_mapping(doc.get("basic_auth_users"), "basic_auth_users")),
        headers=_parse_headers(_expect_mapping(http.get("headers"), "headers")),
    )


def load(path: str) -> WebConfig:
    """Read, parse and validate the file; TLS files are loaded once to prove they are usable. Errors name the file:
    "<path>: file not found", "<path>: unknown field 'x' in the document", "<path>: cert_file <cert>: ..."."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise ConfigError(f"{path}: {os_reason(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a text file") from exc
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
        ok = bcrypt.checkpw(password.encode(), hashed or _DUMMY_HASH) and hashed is not None
        if len(self._auth_cache) > 1024:
            self._auth_cache.clear()
        self._auth_cache[key] = ok
        return ok

    @property
    def auth_required(self) -> bool:
        return bool(self.current().users)
