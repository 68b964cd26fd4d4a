"""Where the credentials come from: a my.cnf file ([client] and child sections such as [client.servers]),
--mysqld.address / --mysqld.username, and the MYSQLD_EXPORTER_PASSWORD environment variable.

Never from argv, never printed: ClientConfig's repr leaves the password out.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field, replace

from exporter_toolkit.errors import ConfigError

PASSWORD_ENV = "MYSQLD_EXPORTER_PASSWORD"
DEFAULT_PORT = 3306


@dataclass(frozen=True)
class ClientConfig:
    user: str
    password: str = field(default="", repr=False)
    host: str = "localhost"
    port: int = DEFAULT_PORT
    socket: str | None = None
    ssl_ca: str | None = None
    ssl_cert: str | None = None
    ssl_key: str | None = None
    ssl_verify_server_cert: bool = False

    @property
    def target(self) -> str:
        """How logs and labels name the server: host:port or the socket path. Never the credentials."""
        return self.socket if self.socket and self.host in ("", "localhost") else f"{self.host}:{self.port}"

    def with_target(self, target: str) -> ClientConfig:
        """The same credentials for another server (multi-target /probe)."""
        if target.startswith("unix("):
            return replace(self, socket=target[5:].rstrip(")"), host="localhost")
        host, port = split_address(target)
        return replace(self, host=host, port=port, socket=None)


def split_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep:
        return address, DEFAULT_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"invalid MySQL address {address!r}: expected host:port")
    return host.strip("[]") or "localhost", int(port)


def _unquote(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


_TOP = "\x00top"  # the section that holds lines before the first [section]; no file can name it


def read_my_cnf(path: str) -> dict[str, dict[str, str]]:
    """Sections of a MySQL option file; a child section ([client.servers]) inherits from its parent.

    Read as Go's mysqld_exporter reads it (go-ini): lines before the first section (an `!include`, say) are
    allowed and belong to no section; the bytes need not be UTF-8 (values that are not fail only where used)."""
    parser = configparser.ConfigParser(allow_no_value=True, interpolation=None, strict=False,
                                       comment_prefixes=("#", ";"), inline_comment_prefixes=None)
    try:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise ConfigError(f"cannot read --config.my-cnf {path}: {exc.strerror}") from exc
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("[") and "]" not in line:
            raise ConfigError(f"malformed --config.my-cnf {path}: line {number}: unclosed section")
    try:
        parser.read_string(f"[{_TOP}]\n{text}", source=path)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None) or next((number for number, _ in getattr(exc, "errors", ())), None)
        where = f"line {line - 1}: " if line else ""
        reason = exc.message.splitlines()[0] if isinstance(exc, configparser.ParsingError) else str(exc)
        reason = reason.split("]: ", 1)[-1].encode("utf-8", "replace").decode()
        raise ConfigError(f"malformed --config.my-cnf {path}: {where}{reason}") from exc
    sections: dict[str, dict[str, str]] = {}
    for name in parser.sections():
        if name == _TOP:
            continue
        values = {key.replace("_", "-"): _unquote(value) for key, value in parser.items(name)
                  if not key.startswith("!")}
        parent = name.rpartition(".")[0]
        sections[name] = {**sections.get(parent, {}), **values} if parent else values
    return sections


def _text(section: dict[str, str], key: str, where: str) -> str | None:
    """A value the connection uses; one that is not UTF-8 cannot be sent to the server."""
    value = section.get(key)
    if value is not None and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ConfigError(f"{key} in {where} is not UTF-8") from None
    return value


def client_from_section(section: dict[str, str], where: str) -> ClientConfig:
    user = _text(section, "user", where)
    if not user:
        raise ConfigError(f"no user specified in {where}")
    port_text = _text(section, "port", where) or str(DEFAULT_PORT)
    if not port_text.isdigit():
        raise ConfigError(f"invalid port {port_text!r} in {where}")
    verify = (_text(section, "ssl-verify-server-cert", where) or "").lower()
    return ClientConfig(
        user=user,
        password=_text(section, "password", where) or "",
        host=_text(section, "host", where) or "localhost",
        port=int(port_text),
        socket=_text(section, "socket", where),
        ssl_ca=_text(section, "ssl-ca", where),
        ssl_cert=_text(section, "ssl-cert", where),
        ssl_key=_text(section, "ssl-key", where),
        ssl_verify_server_cert=verify in ("", "1", "true", "on") if "ssl-verify-server-cert" in section else False,
    )


@dataclass
class Credentials:
    """Every auth module (my.cnf section) and the default client, resolved once at start-up."""

    default: ClientConfig
    modules: dict[str, dict[str, str]]

    def module(self, name: str) -> ClientConfig:
        if name not in self.modules:
            raise KeyError(name)
        return client_from_section(self.modules[name], f"[{name}]")


def resolve(my_cnf: str | None, my_cnf_explicit: bool, address: str | None, username: str | None) -> Credentials:
    """Combine the sources; an unusable combination is a ConfigError (exit 2)."""
    sections: dict[str, dict[str, str]] = {}
    if my_cnf and (my_cnf_explicit or os.path.exists(my_cnf)):
        sections = read_my_cnf(my_cnf)
    client = dict(sections.get("client", {}))
    if username:
        client["user"] = username
    if address:
        host, port = split_address(address)
        client["host"], client["port"] = host, str(port)
        client.pop("socket", None)
    if os.environ.get(PASSWORD_ENV):
        client["password"] = os.environ[PASSWORD_ENV]
    where = f"[client] of {my_cnf}" if sections else "--mysqld.username"
    if not client.get("user"):
        raise ConfigError(f"no MySQL user: set user in the [client] section of --config.my-cnf ({my_cnf}) "
                          f"or --mysqld.username")
    sections["client"] = client
    return Credentials(default=client_from_section(client, where), modules=sections)
