"""The Kubernetes API client: an explicit --kubeconfig checked the way client-go loads it (a readable YAML
mapping, a server that is a URL, certificate files that exist, base64 that decodes), else in-cluster config."""

from __future__ import annotations

import base64
import binascii
import os
import urllib.parse
from typing import Any

import yaml
from kubernetes import client, config

from exporter_toolkit.errors import ConfigError


def check_kubeconfig(path: str, apiserver: str | None = None) -> None:
    """An explicit --kubeconfig must be a readable YAML mapping whose current context client-go would accept:
    otherwise one line naming the file and why."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise ConfigError(f"--kubeconfig {path}: no such file") from None
    except PermissionError:
        raise ConfigError(f"--kubeconfig {path}: not readable (permission denied)") from None
    except IsADirectoryError:
        raise ConfigError(f"--kubeconfig {path}: is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--kubeconfig {path}: cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"--kubeconfig {path}: malformed YAML{where}: {problem}") from None
    if not isinstance(document, dict):
        raise ConfigError(f"--kubeconfig {path}: malformed: not a kubeconfig (expected a mapping with clusters, "
                          "users and contexts)")
    try:
        check_current_context(document, os.path.dirname(os.path.abspath(path)), apiserver)
    except ValueError as exc:
        raise ConfigError(f"--kubeconfig {path}: {exc}") from None


def _named(document: dict[str, Any], section: str, name: Any) -> dict[str, Any] | None:
    """The `cluster`/`user`/`context` body of the entry called `name` in `section`; None when there is none."""
    entries = document.get(section)
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict) and entry.get("name") == name:
            body = entry.get(section[:-1])
            return body if isinstance(body, dict) else {}
    return None


def check_current_context(document: dict[str, Any], base: str, apiserver: str | None) -> None:
    """What client-go refuses in the context it would use: a server that is missing (with no --apiserver), not a
    string or not a URL, certificate and key files that do not exist, *-data fields that are not base64. A
    missing or unknown context is left to the kubernetes client's own message."""
    context = _named(document, "contexts", document.get("current-context"))
    if context is None:
        return
    cluster = _named(document, "clusters", context.get("cluster"))
    if cluster is not None:
        where = f"cluster {context.get('cluster')!r}"
        server = cluster.get("server")
        if server is None or server == "":
            if not apiserver:
                raise ValueError(f"{where} has no server (and no --apiserver is given)")
        else:
            check_server_url(server, f"{where}: server")
        _check_file_and_data(cluster, "certificate-authority", base, where)
    user = _named(document, "users", context.get("user"))
    if user is not None:
        where = f"user {context.get('user')!r}"
        _check_file_and_data(user, "client-certificate", base, where)
        _check_file_and_data(user, "client-key", base, where)


def check_server_url(server: Any, what: str) -> None:
    """A server address as client-go takes it: a string, a URL with an http(s) scheme and a host, or a bare host
    (https is then assumed)."""
    if not isinstance(server, str):
        raise ValueError(f"{what} must be a string, not {type(server).__name__} ({server!r})")
    url = server if "://" in server else f"https://{server}"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError as exc:
        raise ValueError(f"{what} {server!r} is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} {server!r} is not a URL (expected http(s)://host[:port])")


def _check_file_and_data(body: dict[str, Any], field: str, base: str, where: str) -> None:
    """`field` (a path, relative to the kubeconfig's directory) must exist; `field`-data must be base64."""
    data = body.get(f"{field}-data")
    if data is not None:
        try:
            base64.b64decode(data if isinstance(data, str | bytes) else str(data), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"{where}: {field}-data is not valid base64") from None
        return
    path = body.get(field)
    if path in (None, ""):
        return
    if not isinstance(path, str):
        raise ValueError(f"{where}: {field} must be a file path, not {type(path).__name__}")
    full = os.path.join(base, os.path.expanduser(path))
    if not os.path.isfile(full):
        raise ValueError(f"{where}: {field} {path}: no such file")


def api_client(kubeconfig: str | None, apiserver: str | None, connections: int = 10) -> client.ApiClient:
    """A client whose urllib3 never retries on its own (the reflectors back off and log once) and whose pool
    keeps one connection per open watch."""
    configuration = client.Configuration()
    if apiserver:
        try:
            check_server_url(apiserver, "--apiserver")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    if kubeconfig:
        check_kubeconfig(kubeconfig, apiserver)
    try:
        if kubeconfig:
            try:
                config.load_kube_config(config_file=kubeconfig, client_configuration=configuration)
            except (config.ConfigException, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
                raise ConfigError(f"--kubeconfig {kubeconfig}: invalid: {str(exc).splitlines()[0]}") from None
        else:
            try:
                config.load_incluster_config(client_configuration=configuration)
            except config.ConfigException:
                config.load_kube_config(client_configuration=configuration)
    except (config.ConfigException, OSError) as exc:
        if not apiserver:
            raise ConfigError(f"no Kubernetes configuration: {str(exc).splitlines()[0]}; use --kubeconfig, "
                              f"--apiserver or run in a pod") from exc
    if apiserver:
        configuration.host = apiserver
    configuration.retries = False
    configuration.connection_pool_maxsize = max(10, connections)
    return client.ApiClient(configuration)
