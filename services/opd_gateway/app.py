"""The inbox API for an OPD's staff or system (per-OPD API keys, `X-API-Key`): its cases, the
actions on them, and its webhook delivery log; plus /livez, /readyz, /metrics.

Another OPD's case is answered exactly as an unknown one (404): it cannot even be probed.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pymongo.errors import PyMongoError

from services.opd_gateway.actions import Accepted, Conflict, Inbox, NotFound, Unavailable
from services.opd_gateway.case import OpdCase
from services.opd_gateway.delivery import DeliveryState
from services.opd_gateway.inbox import (
    ActionBody,
    FollowUpCreate,
    PostponeCreate,
    ResolveCreate,
    ReturnCreate,
)
from services.opd_gateway.repository import DeliveryRepository
from shared.health import Check, health_routes
from shared.lifecycle import Status

_RETRY = {"Retry-After": "5"}
# A retry with the same key gets the same event back instead of a second one.
_KEY = Header(default=None, alias="Idempotency-Key", max_length=200)
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid OPD API key (X-API-Key)."},
    404: {"description": "No such case for this OPD (another OPD's case included)."},
    409: {"description": "The case cannot take this action now; `detail` says why."},
    503: {"description": "Mongo or Kafka is unavailable; nothing was accepted. Retry later."},
}


class CaseSummary(BaseModel):
    """One case in the OPD's list."""

    complaint_id: str
    tracking_number: str
    status: Status
    title: str
    dispatched_at: datetime


class CaseRead(CaseSummary):
    """One case with what the OPD topic carried (the reporter only when not anonymous)."""

    dispatch: dict[str, Any]


class AcceptedRead(BaseModel):
    """The event an action became, and the status the case moves to."""

    event_id: str
    type: str
    status: Status


class DeliveryRead(BaseModel):
    """One entry of the webhook delivery log."""

    event_id: str
    event_type: str
    complaint_id: str
    state: DeliveryState
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None


def create_app(
    inbox: Inbox,
    deliveries: DeliveryRepository,
    *,
    keys: Mapping[str, str],
    live: Mapping[str, Check],
    ready: Mapping[str, Check],
) -> FastAPI:
    """Build the inbox app."""
    app = FastAPI(title="Aduan OPD gateway", description="The inbox of OPDs without Kafka.")

    @app.exception_handler(PyMongoError)
    async def store_away(_request: Request, _exc: PyMongoError) -> JSONResponse:
        detail = "the case store is unavailable; nothing was accepted, retry shortly"
        return JSONResponse({"detail": detail}, status_code=503, headers=_RETRY)

    app.include_router(_inbox_routes(inbox, deliveries, _authenticate(dict(keys))))
    app.include_router(health_routes(live=lambda: live, ready=lambda: ready))
    return app


def _inbox_routes(
    inbox: Inbox, deliveries: DeliveryRepository, opd_of: Callable[..., str]
) -> APIRouter:
    router = APIRouter(prefix="/v1/inbox", responses=_ERRORS)
    opd_key = Depends(opd_of)

    @router.get("/cases", response_model=list[CaseSummary])
    async def list_cases(
        opd: str = opd_key,
        status: Status | None = None,
        limit: int = Query(default=100, ge=1, le=1000),
    ) -> Any:
        cases = await run_in_threadpool(inbox.cases_of, opd, status=status, limit=limit)
        return [_summary(c) for c in cases]

    @router.get("/cases/{complaint_id}", response_model=CaseRead)
    async def read_case(complaint_id: str, opd: str = opd_key) -> Any:
        case = await run_in_threadpool(_found, inbox.case, opd, complaint_id)
        return CaseRead(**_summary(case).model_dump(), dispatch=case.dispatch)

    async def act(opd: str, complaint_id: str, body: ActionBody, key: str | None) -> AcceptedRead:
        accepted: Accepted = await run_in_threadpool(_acted, inbox, opd, complaint_id, body, key)
        return AcceptedRead(event_id=accepted.event_id, type=accepted.type, status=accepted.status)

    @router.post("/cases/{complaint_id}/follow-ups", status_code=202)
    async def follow_up(
        complaint_id: str, body: FollowUpCreate, opd: str = opd_key, key: str | None = _KEY
    ) -> AcceptedRead:
        return await act(opd, complaint_id, body, key)

    @router.post("/cases/{complaint_id}/resolution", status_code=202)
    async def resolve(
        complaint_id: str, body: ResolveCreate, opd: str = opd_key, key: str | None = _KEY
    ) -> AcceptedRead:
        return await act(opd, complaint_id, body, key)

    @router.post("/cases/{complaint_id}/return", status_code=202)
    async def give_back(
        complaint_id: str, body: ReturnCreate, opd: str = opd_key, key: str | None = _KEY
    ) -> AcceptedRead:
        return await act(opd, complaint_id, body, key)

    @router.post("/cases/{complaint_id}/postponement", status_code=202)
    async def postpone(
        complaint_id: str, body: PostponeCreate, opd: str = opd_key, key: str | None = _KEY
    ) -> AcceptedRead:
        return await act(opd, complaint_id, body, key)

    @router.get("/deliveries", response_model=list[DeliveryRead])
    async def delivery_log(
        opd: str = opd_key,
        state: DeliveryState | None = None,
        limit: int = Query(default=100, ge=1, le=1000),
    ) -> Any:
        found = await run_in_threadpool(deliveries.log, opd, state=state, limit=limit)
        return [DeliveryRead.model_validate(d.model_dump()) for d in found]

    return router


def _summary(case: OpdCase) -> CaseSummary:
    complaint = case.dispatch.get("complaint", {})
    return CaseSummary(
        complaint_id=case.complaint_id, tracking_number=case.tracking_number,
        status=case.status, title=complaint.get("title", ""), dispatched_at=case.dispatched_at,
    )  # fmt: skip


def _found(read: Callable[[str, str], OpdCase], opd: str, complaint_id: str) -> OpdCase:
    try:
        return read(opd, complaint_id)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from exc


def _acted(
    inbox: Inbox, opd: str, complaint_id: str, body: ActionBody, key: str | None
) -> Accepted:
    try:
        return inbox.act(opd, complaint_id, body, idempotency_key=key)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    except Conflict as exc:
        raise HTTPException(409, str(exc)) from exc
    except Unavailable as exc:
        raise HTTPException(503, str(exc), headers=_RETRY) from exc


def _authenticate(keys: dict[str, str]) -> Callable[..., str]:
    """A dependency naming the OPD whose key the request carries (`X-API-Key`)."""

    def opd_of(x_api_key: Annotated[str | None, Header()] = None) -> str:
        if x_api_key:
            for opd, key in keys.items():
                if hmac.compare_digest(x_api_key.encode(), key.encode()):
                    return opd
        raise HTTPException(401, "a valid OPD API key is required (X-API-Key)")

    return opd_of
