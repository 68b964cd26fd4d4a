"""The exporter-toolkit web config file (TLS, basic auth) for start_http_server(), with the standard library only.

The file is the YAML the Go exporters and the exporter suite read; this library reads the part of YAML such
files use (nested mappings, `- item` and `[a, b]` lists, quoted or plain scalars, comments), so it needs no
YAML package. bcrypt is imported only when basic_auth_users is configured, and a clear error says to install
it when it is missing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
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
                  "pip install bcrypt (or pip install 'app-instrumentation[auth]')")


class WebConfigError(ValueError):
    """The web config file cannot be used; the message names the file and the reason."""


# A small YAML reader: block mappings and sequences by indentation, flow lists, scalars.
def _scalar(text: str):
    text = text.strip()
    if not text or text in ("~", "null"):
        return None
    if text[0] in "'\"":
        quote = text[0]
        if len(text) < 2 or text[-1] != quote:
            raise WebConfigError(f"unterminated string {text}")
        inner = text[1:-1]
        return inner.replace("''", "'") if quote == "'" else bytes(inner, "utf-8").decode("unicode_escape")
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [_scalar(item) for item in _split_flow(inner)] if inner else []
    if text.startswith("{") and text.endswith("}"):
        inner = text[1:-1].strip()
        pairs = [item.split(":", 1) for item in _split_flow(inner)] if inner else []
        return {k.strip(): _scalar(v) for k, v in pairs}
    if text in ("true", "True"):
        return True
    if text in ("false", "False"):
        return False
    return text


def _split_flow(text: str) -> list[str]:
    items, current, quote = [], "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == ",":
            items.append(current)
            current = ""
            continue
        current += char
    items.append(current)
    return items


def _strip_comment(line: str) -> str:
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


def parse_yaml(text: str):
    """The value of a YAML document in the subset described in the module docstring."""
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.strip() in ("---", "..."):
            continue
        line = _strip_comment(raw).rstrip()
        if line.strip():
            if "\t" in line[: len(line) - len(line.lstrip())]:
                raise WebConfigError(f"line {number}: tabs cannot indent YAML")
            lines.append((len(line) - len(line.lstrip(" ")), line.strip(), number))
    if not lines:
        return None
    value, end = _block(lines, 0, lines[0][0])
    if end != len(lines):
        raise WebConfigError(f"line {lines[end][2]}: unexpected indentation")
    return value


_KEY = re.compile(r"""^("[^"]*"|'[^']*'|[^:#'"{\[][^:]*?)\s*:(?:\s+(.*)|$)""")


def _block(lines: list[tuple[int, str, int]], start: int, indent: int):
    if lines[start][1].startswith("- ") or lines[start][1] == "-":
        items = []
        index = start
        while index < len(lines) and lines[index][0] == indent and lines[index][1].startswith("-"):
            rest = lines[index][1][1:].strip()
            if not rest:
                value, index = _block(lines, index + 1, lines[index + 1][0]) if index + 1 < len(lines) \
                    and lines[index + 1][0] > indent else (None, index + 1)
            elif _KEY.match(rest) and not rest.startswith(("'", '"', "[", "{")):
                # "- key: value" starts a mapping indented past the dash
                inner = indent + 2
                sub = [(inner, rest, lines[index][2])]
                index += 1
                while index < len(lines) and lines[index][0] > indent:
                    sub.append(lines[index])
                    index += 1
                value, _ = _block(sub, 0, inner)
            else:
                value, index = _scalar(rest), index + 1
            items.append(value)
        return items, index
    mapping: dict = {}
    index = start
    while index < len(lines) and lines[index][0] == indent:
        _, content, number = lines[index]
        match = _KEY.match(content)
        if match is None:
            raise WebConfigError(f"line {number}: expected 'key: value'")
        key = str(_scalar(match.group(1)))
        rest = match.group(2)
        index += 1
        if rest is not None and rest.strip():
            mapping[key] = _scalar(rest)
        elif index < len(lines) and (lines[index][0] > indent or
                                     (lines[index][0] == indent and lines[index][1].startswith("-"))):
            mapping[key], index = _block(lines, index, lines[index][0])
        else:
            mapping[key] = None
    if index < len(lines) and lines[index][0] > indent:
        raise WebConfigError(f"line {lines[index][2]}: unexpected indentation")
    return mapping, index


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
            raw = parse_yaml(handle.read())
    except OSError as exc:
        raise WebConfigError(f"web config file {path}: {exc.strerror or exc}") from exc
    except WebConfigError as exc:
        raise WebConfigError(f"web config file {path}: {exc}") from exc
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
