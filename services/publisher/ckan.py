"""The CKAN Action API adapter: base URL and token from configuration, errors classified.

Every call is `POST {base}/api/3/action/<action>` with a JSON body and the token in the
`Authorization` header; CKAN answers `{"success": true, "result": ...}` or an error object.
Transient: connection trouble, timeouts, 408, 429, 5xx (CkanUnavailable; `certain` as for
LAPOR!). Permanent: other 4xx (CkanRejected), except 404 which callers may expect (Missing)
and a package name already in use (NameTaken), which means "it exists". A 401/403 re-reads
the token once and sends again; refused again it is CkanAuthFailed, transient (the cases wait
for an operator to mend the token), never a dead letter.
"""

from __future__ import annotations

from typing import Any

import httpx

from services.publisher.http import Credentials, PerThreadClient
from services.publisher.target import AuthFailed, TargetRejected, TargetUnavailable

TARGET = "ckan"
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_TRANSIENT = frozenset({408, 429})
_AUTH = frozenset({401, 403})


class CkanUnavailable(TargetUnavailable):
    """CKAN could not take the request now."""

    dependency = TARGET


class CkanAuthFailed(CkanUnavailable, AuthFailed):
    """CKAN refused our token, also after it was re-read."""


class CkanRejected(TargetRejected):
    """CKAN refused the request for good."""


class Missing(CkanRejected):
    """CKAN's Not Found Error."""


class NameTaken(CkanRejected):
    """A package with this name exists already."""


class CkanClient:
    """Calls to one CKAN instance through a shared httpx client."""

    def __init__(self, http: httpx.Client | PerThreadClient, credentials: Credentials) -> None:
        self._http = http
        self._credentials = credentials

    def action(self, name: str, data: dict[str, Any]) -> Any:
        """Call an action with a JSON body; return its result."""
        return self._call(name, json=data)

    def upload(
        self, name: str, fields: dict[str, str], filename: str, content: bytes, media_type: str
    ) -> Any:
        """Call an action with a multipart body carrying one `upload` file (resource_create)."""
        files = {"upload": (filename, content, media_type)}
        return self._call(name, data=fields, files=files)

    def _call(self, name: str, **body: Any) -> Any:
        try:
            response = self._send(f"/api/3/action/{name}", **body)
        except _NOT_SENT as exc:
            raise CkanUnavailable(f"{name}: {type(exc).__name__}: {exc}", certain=True) from exc
        except httpx.TransportError as exc:
            raise CkanUnavailable(f"{name}: {type(exc).__name__}: {exc}", certain=False) from exc
        return _result(name, response)

    def _send(self, path: str, **body: Any) -> httpx.Response:
        """POST with the current token; refused (401/403), once more with the token re-read,
        if that gives a different one."""
        token = self._credentials.token
        response = self._http.post(path, headers={"Authorization": token}, **body)
        if response.status_code in _AUTH and self._credentials.refresh(token):
            fresh = {"Authorization": self._credentials.token}
            response = self._http.post(path, headers=fresh, **body)
        return response


def make_ckan_http(base_url: str, *, connect_s: float, read_s: float, pool: int) -> httpx.Client:
    """Return the httpx client CkanClient calls through (the token is added per call)."""
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(read_s, connect=connect_s, pool=connect_s),
        limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
    )


def _result(name: str, response: httpx.Response) -> Any:
    status = response.status_code
    if status in _TRANSIENT or status >= 500:
        retry = response.headers.get("retry-after")
        hint = f" (Retry-After {retry})" if retry else ""
        raise CkanUnavailable(f"{name}: HTTP {status}{hint}: {response.text[:200]}", certain=True)
    if status in _AUTH:
        raise CkanAuthFailed(
            f"{name}: authentication failing: HTTP {status} also with the token re-read",
            certain=True,
        )
    try:
        answer = response.json()
    except ValueError as exc:
        raise CkanRejected(f"{name}: HTTP {status}, body not JSON", status=status) from exc
    if status < 400 and isinstance(answer, dict) and answer.get("success"):
        return answer.get("result")
    error = answer.get("error") if isinstance(answer, dict) else None
    message = f"{name}: HTTP {status}: {str(error)[:500]}"
    if status == 404:
        raise Missing(message, status=status)
    if isinstance(error, dict) and "already in use" in str(error.get("name", "")):
        raise NameTaken(message, status=status)
    raise CkanRejected(message, status=status)
