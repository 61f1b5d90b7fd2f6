"""The sla's HTTP API: the citizen's status by tracking number, /livez, /readyz, /metrics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.sla.repository import CaseRepository
from services.sla.view import CaseStatusRead, to_status_read
from shared.health import Check, run_checks


def create_web_app(
    views: CaseRepository, *, live: Mapping[str, Check], ready: Mapping[str, Check]
) -> FastAPI:
    """Build the HTTP app over the case view; no route returns personal data."""
    app = FastAPI(title="Aduan sla", description="Where a complaint stands.")

    @app.get(
        "/v1/cases/{tracking_number}",
        response_model=CaseStatusRead,
        responses={404: {"description": "No case has this tracking number."}},
    )
    async def case_status(tracking_number: str) -> Any:
        doc = await run_in_threadpool(views.by_tracking_number, tracking_number)
        if doc is None:
            detail = f"no case with tracking number {tracking_number!r}"
            return JSONResponse({"detail": detail}, status_code=404)
        return to_status_read(doc)

    @app.get("/livez", include_in_schema=False)
    def livez() -> Response:
        return _verdict(*run_checks(live))

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> Response:  # sync: FastAPI runs it in a worker thread
        return _verdict(*run_checks(ready))

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def _verdict(ok: bool, verdicts: dict[str, str]) -> Response:
    body = {"status": "ok" if ok else "fail", "checks": verdicts}
    return JSONResponse(body, status_code=200 if ok else 503)
