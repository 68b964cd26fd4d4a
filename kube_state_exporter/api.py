"""One GET against the API server through the kubernetes client's ApiClient (its auth, TLS and proxy settings),
answered as raw bytes: the client's model deserialisation is never used."""

from __future__ import annotations

from typing import Any

from kubernetes.client import ApiClient


def get(api: ApiClient, path: str, query: list[tuple[str, Any]] | None = None,
        timeout: tuple[float, float] = (10, 30)):
    """The urllib3 response of GET path; raises RuntimeError naming the path and status when it is not 2xx."""
    method, url, headers, _body, _post = api.param_serialize(
        "GET", path, query_params=query or [], header_params={"Accept": "application/json"},
        auth_settings=["BearerToken"])
    response = api.call_api(method, url, header_params=headers, _request_timeout=timeout).response
    if response.status >= 300:
        body = response.data[:200].decode(errors="replace")
        response.release_conn()
        raise RuntimeError(f"GET {path}: HTTP {response.status}: {body}")
    return response
