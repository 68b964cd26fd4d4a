"""One GET against the API server through the kubernetes client's ApiClient (its auth, TLS and proxy settings),
answered as raw bytes: the client's model deserialisation is never used. Lists, watches, discovery and the
auto-sharding lookups all go through it."""

from __future__ import annotations

from typing import Any

from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException


class ApiError(ApiException):
    """A non-2xx answer: `status` as the kubernetes client has it, one line as text."""

    def __init__(self, path: str, status: int, body: str) -> None:
        super().__init__(status=status, reason=body)
        self.path = path

    def __str__(self) -> str:
        return f"GET {self.path}: HTTP {self.status}: {' '.join(str(self.reason).split())}"


def get(api: ApiClient, path: str, query: list[tuple[str, Any]] | None = None,
        timeout: tuple[float, float] = (10, 30)):
    """The urllib3 response of GET path (the caller releases it); raises ApiError when it is not 2xx."""
    method, url, headers, _body, _post = api.param_serialize(
        "GET", path, query_params=query or [], header_params={"Accept": "application/json"},
        auth_settings=["BearerToken"])
    response = api.call_api(method, url, header_params=headers, _request_timeout=timeout).response
    if response.status >= 300:
        body = response.data[:200].decode(errors="replace")
        response.release_conn()
        raise ApiError(path, response.status, body)
    return response


def cut(response) -> None:
    """End a streaming response (an open watch) from another thread: its socket shut down, else released."""
    if response is not None:
        try:
            response.shutdown()
        except Exception:
            response.release_conn()
