"""The LAPOR! HTTP adapter: base URL, token and timeouts from configuration, errors classified.

Transient (retry later): connection trouble, timeouts, 408, 429, 5xx; raised as
LaporUnavailable, a shared.retry.TransientError, so the consume loop backs off and retries.
`certain` tells whether LAPOR! surely did not act on the request (it never arrived, or LAPOR!
answered with an error) or might have (the answer was lost): only the latter can duplicate.
Authentication (401/403) is our problem, not the record's: the token is re-read once
(Credentials.refresh: the token file operators rotate) and the call sent again; a second
refusal is LaporAuthFailed, transient like an outage: the batch waits and retries until the
token is mended, and nothing is dead-lettered for it.
Permanent (retrying cannot help): any other 4xx, or a 2xx without an id: LaporRejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel

from services.publisher.attachments import FileBytes
from services.publisher.http import Credentials, PerThreadClient
from services.publisher.mapping import LaporComplaint, LaporFollowUp
from services.publisher.target import AuthFailed, TargetRejected, TargetUnavailable
from shared.events.payloads import Attachment

TRANSIENT_STATUSES = frozenset({408, 429})
AUTH_STATUSES = frozenset({401, 403})
_NOT_AS_BYTES = frozenset({413, 415})  # LAPOR! refuses these bytes: send the reference instead
_JSON = {"Content-Type": "application/json"}
# Errors raised before a single byte of the request left: the target cannot have acted.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class LaporUnavailable(TargetUnavailable):
    """LAPOR! could not take the request now."""

    dependency = "lapor"


class LaporAuthFailed(LaporUnavailable, AuthFailed):
    """LAPOR! refused our token, also after it was re-read."""


class LaporRejected(TargetRejected):
    """LAPOR! refused the request for good (or answered in a shape we cannot read)."""


@dataclass(frozen=True)
class Created:
    """What LAPOR! answered to a create."""

    remote_id: str
    tracking_id: str | None


class LaporClient:
    """Calls to one LAPOR! instance through a shared httpx client, with our token."""

    def __init__(self, http: httpx.Client | PerThreadClient, credentials: Credentials) -> None:
        self._http = http
        self._credentials = credentials

    def create_complaint(self, body: LaporComplaint) -> Created:
        """Create a complaint; return LAPOR!'s id and tracking id."""
        answer = self._post("/api/v1/complaints", body)
        remote_id = answer.get("id")
        if not isinstance(remote_id, str) or not remote_id:
            raise LaporRejected(f"create answered without an id: {str(answer)[:200]}")
        tracking = answer.get("tracking_id")
        return Created(remote_id, str(tracking) if tracking is not None else None)

    def find_by_external_id(self, external_id: str) -> Created | None:
        """Return the complaint LAPOR! holds under our external id, if it has one."""
        try:
            response = self._send("GET", "/api/v1/complaints", params={"external_id": external_id})
        except httpx.TransportError as exc:  # a read changes nothing: certain either way
            raise LaporUnavailable(f"{type(exc).__name__}: {exc}", certain=True) from exc
        found = _answer(response).get("data") or []
        if not found:
            return None
        first = found[0]
        tracking = first.get("tracking_id")
        return Created(str(first["id"]), str(tracking) if tracking is not None else None)

    def add_follow_up(self, remote_id: str, body: LaporFollowUp) -> None:
        """Post a follow-up on an existing LAPOR! complaint."""
        self._post(f"/api/v1/complaints/{remote_id}/followups", body)

    def upload(self, attachment: Attachment) -> str:
        """Hand LAPOR! an attachment by reference; return its file id."""
        return _file_id(self._post("/api/v1/files", attachment))

    def upload_bytes(self, attachment: Attachment, file: FileBytes) -> str | None:
        """Upload an attachment's bytes (multipart); return its file id, or None when LAPOR!
        will not take these bytes (413 too large, 415 type): then hand it over by reference."""
        response = self._write(
            "/api/v1/files",
            files={"file": (file.name, file.content, file.media_type)},
            data={"source_url": attachment.url},
        )
        if response.status_code in _NOT_AS_BYTES:
            return None
        return _file_id(_answer(response))

    def read(self, remote_id: str) -> dict[str, Any]:
        """Read a complaint back: its status and follow-ups (as LAPOR! holds them)."""
        return self._get(f"/api/v1/complaints/{remote_id}")

    def list_external_ids(self) -> dict[str, list[str]]:
        """Return every complaint LAPOR! holds with our external id: {external_id: [ids]}."""
        found: dict[str, list[str]] = {}
        page = 1
        while True:
            answer = self._get("/api/v1/complaints", page=page, per_page=500)
            for item in answer.get("data") or []:
                if item.get("external_id"):
                    found.setdefault(str(item["external_id"]), []).append(str(item["id"]))
            if not answer.get("next_page"):
                return found
            page += 1

    def withdraw(self, remote_id: str) -> None:
        """Withdraw a complaint (a duplicate found by reconciliation)."""
        try:
            response = self._send("DELETE", f"/api/v1/complaints/{remote_id}")
        except httpx.TransportError as exc:
            raise LaporUnavailable(f"{type(exc).__name__}: {exc}", certain=False) from exc
        if response.status_code not in (204, 404):
            _answer(response)

    def _get(self, path: str, **params: Any) -> dict[str, Any]:
        try:
            response = self._send("GET", path, params=params or None)
        except httpx.TransportError as exc:  # a read changes nothing: certain either way
            raise LaporUnavailable(f"{type(exc).__name__}: {exc}", certain=True) from exc
        return _answer(response)

    def _post(self, path: str, body: BaseModel) -> dict[str, Any]:
        return _answer(self._write(path, content=body.model_dump_json(), headers=_JSON))

    def _write(self, path: str, **request: Any) -> httpx.Response:
        try:
            return self._send("POST", path, **request)
        except _NOT_SENT as exc:
            raise LaporUnavailable(f"{type(exc).__name__}: {exc}", certain=True) from exc
        except httpx.TransportError as exc:  # read timeout, dropped connection: outcome unknown
            raise LaporUnavailable(f"{type(exc).__name__}: {exc}", certain=False) from exc

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request with the current token; refused (401/403), once more with the token
        re-read, if that gives a different one."""
        headers = kwargs.pop("headers", {})
        token = self._credentials.token
        response = self._http.request(method, path, headers={**headers, **_bearer(token)}, **kwargs)
        if response.status_code in AUTH_STATUSES and self._credentials.refresh(token):
            fresh = {**headers, **_bearer(self._credentials.token)}
            response = self._http.request(method, path, headers=fresh, **kwargs)
        return response


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _file_id(answer: dict[str, Any]) -> str:
    file_id = answer.get("id")
    if not isinstance(file_id, str) or not file_id:
        raise LaporRejected(f"upload answered without an id: {str(answer)[:200]}")
    return file_id


def make_http_client(
    base_url: str, *, connect_s: float, read_s: float, pool: int = 10
) -> httpx.Client:
    """Return the httpx client LaporClient calls through (the token is added per call)."""
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(read_s, connect=connect_s, pool=connect_s),
        limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
    )


def _answer(response: httpx.Response) -> dict[str, Any]:
    status = response.status_code
    if status in TRANSIENT_STATUSES or status >= 500:
        raise LaporUnavailable(f"HTTP {status}: {response.text[:200]}", certain=True)
    if status in AUTH_STATUSES:
        raise LaporAuthFailed(
            f"authentication failing: HTTP {status} also with the token re-read: "
            f"{response.text[:200]}",
            certain=True,
        )
    if status >= 400:
        raise LaporRejected(f"HTTP {status}: {response.text[:500]}", status=status)
    try:
        answer = response.json()
    except ValueError as exc:
        raise LaporRejected(f"HTTP {status} with a body that is not JSON", status=status) from exc
    if not isinstance(answer, dict):
        raise LaporRejected(f"HTTP {status} with an unexpected body", status=status)
    return answer
