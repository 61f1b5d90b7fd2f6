"""The Open311 GeoReport v2 read side: `GET /open311/v2/requests.{json,xml}` with the standard
filters and `GET /open311/v2/requests/{id}.{json,xml}`.

`service_request_id` is the tracking number, `service_code` the case's category,
`agency_responsible` the OPD, `expected_datetime` the completion clock's due time. Public: no
reporter identity (the sla has none), never the complaint body, and no title for a confidential
case (`description` is the title otherwise).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from services.sla.repository import CaseRepository, Open311Query
from services.sla.view import CaseDocument, utc
from shared.lifecycle import Status

CLOSED = frozenset({Status.RESOLVED, Status.CLOSED, Status.ARCHIVED})
DEFAULT_WINDOW = timedelta(days=90)  # the spec's default range
MAX_RESULTS = 1000


class ServiceRequest(BaseModel):
    """One service request as GeoReport v2 lists it."""

    service_request_id: str
    status: str  # open | closed
    status_notes: str | None
    service_name: str | None
    service_code: str | None
    description: str | None
    agency_responsible: str | None
    service_notice: str | None = None
    requested_datetime: datetime | None
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


def to_service_request(doc: CaseDocument) -> ServiceRequest:
    """Turn a case view into its public Open311 form."""
    return ServiceRequest(
        service_request_id=doc.tracking_number,
        status="closed" if doc.status in CLOSED else "open",
        status_notes=doc.status_label,
        service_name=doc.category,
        service_code=doc.category,
        description=None if doc.confidential else doc.title,
        agency_responsible=doc.opd_code,
        requested_datetime=utc(doc.received_at),
        updated_datetime=utc(doc.updated_at) or doc.updated_at,
        expected_datetime=utc(doc.expected_at),
    )


def open311_router(views: CaseRepository) -> APIRouter:
    """The GeoReport v2 read routes over the case view."""
    router = APIRouter(prefix="/open311/v2", tags=["open311"])

    @router.get("/requests.{fmt}")
    async def requests(  # noqa: PLR0917  (the spec's query parameters)
        fmt: str,
        service_request_id: str | None = None,
        service_code: str | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        status: str | None = Query(default=None, pattern=r"^(open|closed)(,(open|closed))*$"),
    ) -> Response:
        query = _query(service_request_id, service_code, start_date, end_date, status)
        docs = await run_in_threadpool(views.open311, query)
        return _render(fmt, [to_service_request(d) for d in docs])

    @router.get("/requests/{request_id}.{fmt}")
    async def one_request(request_id: str, fmt: str) -> Response:
        doc = await run_in_threadpool(views.by_tracking_number, request_id)
        if doc is None:
            raise HTTPException(404, f"no service request {request_id!r}")
        return _render(fmt, [to_service_request(doc)])

    return router


def _query(
    ids: str | None,
    codes: str | None,
    start: datetime | None,
    end: datetime | None,
    status: str | None,
) -> Open311Query:
    """The filters; a list of ids overrides the others, as the spec says."""
    if ids:
        return Open311Query(tracking_numbers=_split(ids), limit=MAX_RESULTS)
    end = _aware(end) or datetime.now(UTC)
    start = _aware(start) or end - DEFAULT_WINDOW
    wanted = _split(status) if status else ["open", "closed"]
    statuses = [s.value for s in Status if ("closed" if s in CLOSED else "open") in wanted]
    return Open311Query(
        categories=_split(codes) if codes else None,
        start=start,
        end=end,
        statuses=statuses,
        limit=MAX_RESULTS,
    )


def _render(fmt: str, found: list[ServiceRequest]) -> Response:
    rows = [r.model_dump(mode="json") for r in found]
    if fmt == "json":
        return JSONResponse(rows)
    if fmt == "xml":
        return Response(_xml(rows), media_type="text/xml")
    raise HTTPException(404, f"unknown format {fmt!r}: json or xml")


def _xml(rows: list[dict[str, Any]]) -> bytes:
    root = ET.Element("service_requests")
    for row in rows:
        request = ET.SubElement(root, "request")
        for name, value in row.items():
            ET.SubElement(request, name).text = "" if value is None else str(value)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
