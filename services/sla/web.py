"""The sla's HTTP API: the citizen's status by tracking number, the OPD's own cases (per-OPD API
keys), the Open311 GeoReport v2 read side, /livez, /readyz, /metrics."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError

from services.sla.open311 import open311_router
from services.sla.repository import CaseRepository
from services.sla.view import CaseOpdRead, CaseStatusRead, to_opd_read, to_status_read
from shared.health import Check, health_routes

_UNAVAILABLE = "the case store is unavailable; please retry shortly"


def create_web_app(
    views: CaseRepository,
    *,
    live: Mapping[str, Check],
    ready: Mapping[str, Check],
    opd_keys: Mapping[str, str] | None = None,
) -> FastAPI:
    """Build the HTTP app over the case view; no route returns personal data."""
    app = FastAPI(title="Aduan sla", description="Where a complaint stands.")

    @app.exception_handler(PyMongoError)
    async def store_away(_request: Request, _exc: PyMongoError) -> JSONResponse:
        return JSONResponse({"detail": _UNAVAILABLE}, status_code=503, headers={"Retry-After": "5"})

    @app.get(
        "/v1/cases/{tracking_number}",
        response_model=CaseStatusRead,
        responses={
            404: {"description": "No case has this tracking number."},
            503: {"description": "The case store is unavailable; retry later."},
        },
    )
    async def case_status(tracking_number: str) -> Any:
        doc = await run_in_threadpool(views.by_tracking_number, tracking_number)
        if doc is None:
            detail = f"no case with tracking number {tracking_number!r}"
            return JSONResponse({"detail": detail}, status_code=404)
        return to_status_read(doc)

    _opd_routes(app, views, _authenticate(dict(opd_keys or {})))
    app.include_router(open311_router(views))
    app.include_router(health_routes(live=lambda: live, ready=lambda: ready))
    return app


def _opd_routes(app: FastAPI, views: CaseRepository, opd_of: Callable[..., str]) -> None:
    """`/v1/opd/cases`: an OPD's own cases; another OPD's case is answered as unknown (404)."""
    # A default, not an Annotated alias: with postponed annotations a local alias is not found.
    opd_key = Depends(opd_of)

    @app.get("/v1/opd/cases", response_model=list[CaseOpdRead])
    async def opd_cases(
        opd: str = opd_key,
        status: str | None = None,
        limit: int = Query(default=100, ge=1, le=1000),
    ) -> Any:
        docs = await run_in_threadpool(views.of_opd, opd, status=status, limit=limit)
        return [to_opd_read(doc) for doc in docs]

    @app.get("/v1/opd/cases/{tracking_number}", response_model=CaseOpdRead)
    async def opd_case(tracking_number: str, opd: str = opd_key) -> Any:
        doc = await run_in_threadpool(views.by_tracking_number, tracking_number)
        # The same answer as for an unknown number: another OPD's case stays invisible.
        if doc is None or doc.opd_code != opd:
            raise HTTPException(404, f"no case {tracking_number!r} for OPD {opd}")
        return to_opd_read(doc)


def _authenticate(keys: dict[str, str]) -> Callable[..., str]:
    """A dependency naming the OPD whose key the request carries (`X-API-Key`)."""

    def opd_of(x_api_key: Annotated[str | None, Header()] = None) -> str:
        if x_api_key:
            for opd, key in keys.items():
                if hmac.compare_digest(x_api_key.encode(), key.encode()):
                    return opd
        raise HTTPException(401, "a valid OPD API key is required (X-API-Key)")

    return opd_of
