"""The sla's HTTP API: the citizen's status by tracking number, /livez, /readyz, /metrics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError

from services.sla.repository import CaseRepository
from services.sla.view import CaseStatusRead, to_status_read
from shared.health import Check, health_routes


def create_web_app(
    views: CaseRepository, *, live: Mapping[str, Check], ready: Mapping[str, Check]
) -> FastAPI:
    """Build the HTTP app over the case view; no route returns personal data."""
    app = FastAPI(title="Aduan sla", description="Where a complaint stands.")

    @app.get(
        "/v1/cases/{tracking_number}",
        response_model=CaseStatusRead,
        responses={
            404: {"description": "No case has this tracking number."},
            503: {"description": "The case store is unavailable; retry later."},
        },
    )
    async def case_status(tracking_number: str) -> Any:
        try:
            doc = await run_in_threadpool(views.by_tracking_number, tracking_number)
        except PyMongoError:
            detail = "the case store is unavailable; please retry shortly"
            return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": "5"})
        if doc is None:
            detail = f"no case with tracking number {tracking_number!r}"
            return JSONResponse({"detail": detail}, status_code=404)
        return to_status_read(doc)

    app.include_router(health_routes(live=lambda: live, ready=lambda: ready))
    return app
