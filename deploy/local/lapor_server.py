"""Local LAPOR! contract server: a test double of the national complaint system's REST API.

LAPOR! has no public API documentation; this follows the one known partner integration
(shared DOMAIN.md, "Known partner integration"): token-authenticated REST, create a complaint,
read it back with its status, add follow-ups. Like the real one as far as we know, it has NO
idempotency: the same complaint posted twice is two records, so exactly-once is the client's job.

Test helpers (not part of the real API):
  GET  /_contract/received  everything received, in order
  POST /_contract/faults    inject failures: {"fail_next": N, "status": 503, "delay_ms": 0}
  POST /_contract/reset     forget records and faults
The API also answers GET /api/v1/complaints?external_id=X (the partner code reads complaints
back; a look-up by the client's own reference is what a resend after a lost answer needs).

Run from the repository root:
  python deploy/local/lapor_server.py --port 8081 [--token TOKEN]
  python -m deploy.local.lapor_server --port 8081
The token defaults to $LAPOR_TOKEN, else "local-dev-token". State is in memory only.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import secrets
import threading
from datetime import UTC, date, datetime
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

DEFAULT_TOKEN = "local-dev-token"  # a test double's well-known local token
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


class Faults(BaseModel):
    """Failures to inject into the next requests to /api/v1."""

    fail_next: Annotated[int, Field(ge=0)] = 0
    status: Annotated[int, Field(ge=400, le=599)] = 503
    delay_ms: Annotated[int, Field(ge=0, le=120_000)] = 0


class _State:
    """Everything the server holds; one lock because uvicorn may serve from several threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.complaints: dict[str, dict[str, Any]] = {}
        self.faults = Faults()
        self.requests = 0
        self.injected_failures = 0
        self.ids = itertools.count(FIRST_ID)

    def take_fault(self) -> tuple[int | None, int]:
        """Count one API request; return (status to fail with or None, delay in ms)."""
        with self.lock:
            self.requests += 1
            delay = self.faults.delay_ms
            if self.faults.fail_next > 0:
                self.faults = self.faults.model_copy(
                    update={"fail_next": self.faults.fail_next - 1}
                )
                self.injected_failures += 1
                return self.faults.status, delay
            return None, delay


def create_app(token: str) -> FastAPI:
    """Build the contract server accepting `token` as its only bearer token."""
    app = FastAPI(title="LAPOR! contract server (local test double)")
    state = _State()

    async def authorised(authorization: Annotated[str | None, Header()] = None) -> None:
        if authorization is None or not authorization.startswith("Bearer "):
            raise HTTPException(401, "missing bearer token")
        if not secrets.compare_digest(authorization.removeprefix("Bearer "), token):
            raise HTTPException(401, "invalid token")

    @app.middleware("http")
    async def inject_faults(request: Request, call_next: Any) -> Any:
        if not request.url.path.startswith("/api/"):
            return await call_next(request)
        status, delay_ms = state.take_fault()
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        if status is not None:
            return JSONResponse({"detail": f"injected fault {status}"}, status_code=status)
        return await call_next(request)

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
    async def find_complaints(external_id: str) -> dict[str, Any]:
        """The complaints created with this external id (how a client finds out whether a
        create whose answer was lost went through)."""
        with state.lock:
            found = [
                {"id": r["id"], "tracking_id": r["tracking_id"], "status": r["status"]}
                for r in state.complaints.values()
                if r["complaint"].get("external_id") == external_id
            ]
        return {"data": found}

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
            follow_up = {"id": len(record["follow_ups"]) + 1, **body.model_dump(mode="json")}
            record["follow_ups"].append(follow_up)
            record["status"] = "terdisposisi selesai"
        return {"id": follow_up["id"], "complaint_id": complaint_id}

    @app.get("/_contract/received")
    async def received() -> dict[str, Any]:
        with state.lock:
            return {
                "complaints": list(state.complaints.values()),
                "requests": state.requests,
                "injected_failures": state.injected_failures,
            }

    @app.post("/_contract/faults")
    async def set_faults(faults: Faults) -> Faults:
        with state.lock:
            state.faults = faults
        return faults

    @app.post("/_contract/reset", status_code=204)
    async def reset() -> None:
        with state.lock:
            state.reset()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main(argv: list[str] | None = None) -> int:
    """Serve the contract server until interrupted."""
    parser = argparse.ArgumentParser(description="Local LAPOR! contract server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=os.environ.get("LAPOR_TOKEN", DEFAULT_TOKEN))
    args = parser.parse_args(argv)
    uvicorn.run(create_app(args.token), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
