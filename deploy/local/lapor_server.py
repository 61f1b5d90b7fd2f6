"""Local LAPOR! contract server: a test double of the national complaint system's REST API.

LAPOR! has no public API documentation; this follows the one known partner integration
(shared DOMAIN.md, "Known partner integration"): token-authenticated REST, create a complaint,
read it back with its status, add follow-ups. Like the real one as far as we know, it has NO
idempotency: the same complaint posted twice is two records, so exactly-once is the client's job.

API: POST /api/v1/complaints, GET /api/v1/complaints[?external_id=X][&page=N&per_page=M],
GET /api/v1/complaints/{id} (status and follow-ups), POST /api/v1/complaints/{id}/followups,
POST /api/v1/files (an attachment as bytes, multipart/form-data with a `file` part, at most
--max-file-bytes (413) and of an accepted media type (415); or handed over by reference as
JSON: url, name, media_type, size, sha256; either answers a file id the follow-up names). The look-up by the client's own reference is
what a resend after a lost answer needs; the paged list is what reconciliation reads.

Test helpers (not part of the real API):
  GET  /_contract/received  everything received, in order
  POST /_contract/faults    inject failures (deploy/local/contract_faults.py: latency, 5xx,
                            storms, 429 rate limits, timeouts after accepting, outages)
  POST /_contract/advance   move the server's clock on (end an outage window without waiting)
  POST /_contract/token     rotate the accepted token (the old one is then refused with 401)
  POST /_contract/reset     forget records and faults

Run from the repository root:
  python deploy/local/lapor_server.py --port 8081 [--token TOKEN]
  python -m deploy.local.lapor_server --port 8081
The token defaults to $LAPOR_TOKEN, else "local-dev-token". State is in memory only.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import secrets
import threading
from datetime import UTC, date, datetime
from email.parser import BytesParser
from email.policy import HTTP
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

try:  # run as a module (python -m deploy.local.lapor_server) or as a script
    from deploy.local.contract_faults import Injector, install
except ImportError:  # pragma: no cover - script mode puts deploy/local on the path
    from contract_faults import Injector, install  # type: ignore[no-redef]

DEFAULT_TOKEN = "local-dev-token"  # a test double's well-known local token
MAX_FILE_BYTES = 10_000_000  # LAPOR! caps attachment sizes; the exact cap is not published
FILE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png", "video/mp4"})
FIRST_ID = 1000

Text = Annotated[str, Field(min_length=1)]
Id = Annotated[int, Field(ge=1)]


class ComplaintCreate(BaseModel):
    """Create-complaint body, as the partner integration sends it; unknown fields are kept."""

    model_config = ConfigDict(extra="allow")

    title: Annotated[str, Field(min_length=1, max_length=255)]
    content: Text
    date_of_incident: date
    channel: Text
    classification_id: Id
    disposition_id: Id
    category_id: Id
    location_id: Id | None = None
    is_anonymous: bool = False
    is_secret: bool = False
    attachments: list[str] = Field(default_factory=list)
    external_id: str | None = None


class FollowUpCreate(BaseModel):
    """A follow-up (tindak lanjut) on an existing complaint."""

    model_config = ConfigDict(extra="allow")

    content: Text
    template_code: str | None = None
    is_secret: bool = False
    rating: Annotated[int, Field(ge=1, le=5)] | None = None
    attachments: list[str] = Field(default_factory=list)  # file ids from POST /api/v1/files


class FileUpload(BaseModel):
    """An attachment handed over by reference (the partner code uploads files first)."""

    url: Annotated[str, Field(min_length=1, max_length=2000)]
    name: str | None = None
    media_type: str | None = None
    size: Annotated[int, Field(ge=0, le=25_000_000)] | None = None  # LAPOR! caps file sizes
    sha256: str | None = None


class _State:
    """Everything the server holds; one lock because uvicorn may serve from several threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.complaints: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.ids = itertools.count(FIRST_ID)


def create_app(token: str, max_file_bytes: int = MAX_FILE_BYTES) -> FastAPI:
    """Build the contract server accepting `token` as its only bearer token."""
    app = FastAPI(title="LAPOR! contract server (local test double)")
    state = _State()
    faults = Injector(token)
    install(app, faults, api_prefix="/api/")

    async def authorised(authorization: Annotated[str | None, Header()] = None) -> None:
        if authorization is None or not authorization.startswith("Bearer "):
            raise HTTPException(401, "missing bearer token")
        if not faults.token_ok(authorization.removeprefix("Bearer ")):
            raise HTTPException(401, "invalid or expired token")

    Auth = Depends(authorised)

    @app.post("/api/v1/complaints", status_code=201, dependencies=[Auth])
    async def create_complaint(body: ComplaintCreate) -> dict[str, Any]:
        with state.lock:
            complaint_id = f"LAPOR-{next(state.ids)}"
            record = {
                "id": complaint_id,
                "tracking_id": secrets.token_hex(4).upper(),
                "status": "belum terverifikasi",
                "received_at": datetime.now(UTC).isoformat(),
                "complaint": body.model_dump(mode="json"),
                "follow_ups": [],
            }
            state.complaints[complaint_id] = record
        return {"id": complaint_id, "tracking_id": record["tracking_id"]}

    @app.get("/api/v1/complaints", dependencies=[Auth])
    async def find_complaints(
        external_id: str | None = None, page: int = 1, per_page: int = 100
    ) -> dict[str, Any]:
        """The complaints, or those created with this external id (how a client finds out
        whether a create whose answer was lost went through), a page at a time."""
        with state.lock:
            found = [
                {
                    "id": r["id"],
                    "tracking_id": r["tracking_id"],
                    "status": r["status"],
                    "external_id": r["complaint"].get("external_id"),
                }
                for r in state.complaints.values()
                if external_id is None or r["complaint"].get("external_id") == external_id
            ]
        per_page = min(max(per_page, 1), 500)
        start = (max(page, 1) - 1) * per_page
        more = start + per_page < len(found)
        return {"data": found[start : start + per_page], "next_page": page + 1 if more else None}

    @app.post("/api/v1/files", status_code=201, dependencies=[Auth])
    async def upload(request: Request) -> dict[str, Any]:
        held = await _file_record(request, max_file_bytes)
        with state.lock:
            file_id = f"FILE-{len(state.files) + 1}"
            state.files[file_id] = held
        return {"id": file_id}

    @app.delete("/api/v1/complaints/{complaint_id}", status_code=204, dependencies=[Auth])
    async def withdraw(complaint_id: str) -> None:
        """Withdraw a complaint (what reconciliation's --mend does with a duplicate)."""
        with state.lock:
            if state.complaints.pop(complaint_id, None) is None:
                raise HTTPException(404, "complaint not found")

    @app.get("/api/v1/complaints/{complaint_id}", dependencies=[Auth])
    async def read_complaint(complaint_id: str) -> dict[str, Any]:
        with state.lock:
            record = state.complaints.get(complaint_id)
        if record is None:
            raise HTTPException(404, "complaint not found")
        return record

    @app.post("/api/v1/complaints/{complaint_id}/followups", status_code=201, dependencies=[Auth])
    async def add_follow_up(complaint_id: str, body: FollowUpCreate) -> dict[str, Any]:
        with state.lock:
            record = state.complaints.get(complaint_id)
            if record is None:
                raise HTTPException(404, "complaint not found")
            unknown = [f for f in body.attachments if f not in state.files]
            if unknown:
                raise HTTPException(422, f"unknown attachment ids: {unknown}")
            follow_up = {"id": len(record["follow_ups"]) + 1, **body.model_dump(mode="json")}
            record["follow_ups"].append(follow_up)
            record["status"] = "terdisposisi selesai"
        return {"id": follow_up["id"], "complaint_id": complaint_id}

    _add_helpers(app, state, faults)
    return app


async def _file_record(request: Request, max_bytes: int) -> dict[str, Any]:
    """What an upload hands over: bytes (multipart) or a reference (JSON, FileUpload)."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        return _uploaded_bytes(kind, await request.body(), max_bytes)
    try:
        held = FileUpload.model_validate_json(await request.body()).model_dump()
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
    return {**held, "content": "reference"}


def _uploaded_bytes(content_type: str, body: bytes, max_bytes: int) -> dict[str, Any]:
    """Read a multipart upload's `file` part; 413 when too big, 415 for a refused type."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    parts = {p.get_param("name", header="content-disposition"): p for p in message.iter_parts()}
    part = parts.get("file")
    if part is None or part.get_filename() is None:
        raise HTTPException(422, "a multipart upload needs a `file` part")
    content = part.get_payload(decode=True) or b""
    if len(content) > max_bytes:
        raise HTTPException(413, f"file too large: {len(content)} bytes, at most {max_bytes}")
    media_type = part.get_content_type()
    if media_type not in FILE_TYPES:
        raise HTTPException(415, f"media type {media_type} not accepted: {sorted(FILE_TYPES)}")
    return {
        "content": "bytes",
        "name": part.get_filename(),
        "media_type": media_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def _add_helpers(app: FastAPI, state: _State, faults: Injector) -> None:
    """The test-helper endpoints (not part of the real API) and the health check."""

    @app.get("/_contract/received")
    async def received() -> dict[str, Any]:
        with state.lock:
            return {
                "complaints": list(state.complaints.values()),
                "files": state.files,
                "requests": faults.requests,
                "injected_failures": faults.injected,
                "hung": faults.hung,
            }

    @app.get("/_contract/counts")
    async def counts() -> dict[str, int]:
        """Cheap progress for benchmarks: /received serialises every record."""
        with state.lock:
            done = sum(1 for r in state.complaints.values() if r["follow_ups"])
            return {"complaints": len(state.complaints), "with_follow_ups": done}

    @app.post("/_contract/reset", status_code=204)
    async def reset() -> None:
        with state.lock:
            state.reset()
        faults.reset()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}


def main(argv: list[str] | None = None) -> int:
    """Serve the contract server until interrupted."""
    parser = argparse.ArgumentParser(description="Local LAPOR! contract server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=os.environ.get("LAPOR_TOKEN", DEFAULT_TOKEN))
    parser.add_argument("--max-file-bytes", type=int, default=MAX_FILE_BYTES)
    args = parser.parse_args(argv)
    app = create_app(args.token, args.max_file_bytes)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
