"""Open311 GeoReport v2, write side: `discovery`, `services`, `requests` and `tokens`, in JSON
and XML (the read side, `GET requests`, is the sla's)."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # we only write XML, never parse it
from collections.abc import Sequence
from functools import partial
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from pymongo.errors import PyMongoError

from services.intake.accept import TrackingNumbersExhausted, accept
from services.intake.api import BodyTooLarge, admit, read_limited, retry_after
from services.intake.connectors import with_region
from services.intake.open311_catalogue import Open311Service
from services.intake.open311_model import Open311Request, adapter_for, form_fields, request_ref
from services.intake.security import Gate, RateLimited, Unauthorized
from shared.errors import describe

Format = Literal["json", "xml"]
PREFIX = "/open311/v2"
NOTICE = "Laporan diterima; lacak dengan nomor ini di /v1/cases/{id}"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00Z"  # when this API last changed: clients may cache until then


_ANSWER = {"application/json": {"schema": {}}, "text/xml": {"schema": {"type": "string"}}}
_ERROR = {
    "application/json": {
        "schema": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
                "required": ["code", "description"],
            },
        }
    },
    "text/xml": {"schema": {"type": "string"}},
}
_REASONS = {
    400: "A field is missing or invalid (named; the input is never echoed).",
    403: "No api_key, or one no connector owns.",
    404: "No such service or token.",
    413: "The body exceeds the size limit.",
    429: "The connector is over its rate; see Retry-After.",
    503: "The store is unavailable: nothing was accepted.",
}


def _documented(ok: str, *errors: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answers of an Open311 route: its 200 and its errors, in the Open311 shape."""
    answers: dict[int | str, dict[str, Any]] = {200: {"description": ok, "content": _ANSWER}}
    for status in errors:
        answers[status] = {"description": _REASONS[status], "content": _ERROR}
    return answers


def _request_body() -> dict[str, Any]:
    """The OpenAPI request body of `POST requests`: the spec's form fields (or JSON)."""
    schema = Open311Request.model_json_schema(ref_template="#/components/schemas/{model}")
    schema["properties"] = {"api_key": {"type": "string"}, **schema["properties"]}
    content = {"application/x-www-form-urlencoded": {"schema": schema}}
    return {"required": True, "content": content | {"application/json": {"schema": schema}}}


class Open311Error(Exception):
    """An error answered in the Open311 shape `[{"code": ..., "description": ...}]`."""

    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None):
        super().__init__(description)
        self.status, self.description, self.headers = status, description, headers or {}


def render(
    fmt: Format, root: str, item: str, rows: Sequence[dict[str, Any]], status: int = 200
) -> Response:
    """Answer a list of objects as JSON, or as XML `<root><item>...</item></root>`."""
    if fmt == "json":
        return Response(orjson.dumps(list(rows)), status, media_type="application/json")
    top = ET.Element(root)
    for row in rows:
        _xml(top, item, row)
    return _xml_answer(top, status)


def render_one(fmt: Format, root: str, document: dict[str, Any]) -> Response:
    """Answer one object: JSON as it is, XML as `<root>...</root>` (the spec's service
    definition and discovery documents are single objects, not lists)."""
    if fmt == "json":
        return Response(orjson.dumps(document), media_type="application/json")
    top = ET.Element(root)
    for key, value in document.items():
        _xml(top, key, value)
    return _xml_answer(top, 200)


def _xml(parent: ET.Element, tag: str, value: Any) -> None:
    """Write `value` under `parent` as `<tag>`: an object's fields as children, a list's items
    as children named in the singular (`endpoints` -> `endpoint`), booleans as the spec's
    `true`/`false`, None as an empty element."""
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml(element, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _xml(element, tag.removesuffix("s"), inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = "" if value is None else str(value)


def _xml_answer(top: ET.Element, status: int) -> Response:
    body = ET.tostring(top, encoding="utf-8", xml_declaration=True)
    return Response(body, status, media_type="text/xml")


def error(fmt: Format, exc: Open311Error) -> Response:
    """Answer an error in the Open311 shape."""
    answer = render(
        fmt, "errors", "error", [{"code": exc.status, "description": exc.description}], exc.status
    )
    answer.headers.update(exc.headers)
    return answer


def open311_router(
    services: Sequence[Open311Service], *, gate: Gate, max_body_bytes: int
) -> APIRouter:
    """Build the Open311 routes over the configured service list."""
    by_code = {s.service_code: s for s in services}
    router = APIRouter(prefix=PREFIX, tags=["open311"])

    @router.get(
        "/discovery.{fmt}",
        summary="Open311: service discovery",
        responses=_documented("The discovery document."),
    )
    def discovery(fmt: Format, request: Request) -> Response:
        return render_one(fmt, "discovery", _discovery(str(request.base_url).rstrip("/")))

    @router.get(
        "/services.{fmt}",
        summary="Open311: the service list (categories)",
        responses=_documented("The services."),
    )
    def service_list(fmt: Format) -> Response:
        return render(fmt, "services", "service", [s.listing() for s in services])

    @router.get(
        "/services/{code}.{fmt}",
        summary="Open311: one service's definition",
        responses=_documented("The service definition.", 404),
    )
    def definition(code: str, fmt: Format) -> Response:
        if code not in by_code:
            return error(fmt, Open311Error(404, f"no service with service_code {code!r}"))
        # No service takes extra attributes (`metadata: false`): the list is empty.
        return render_one(fmt, "service_definition", {"service_code": code, "attributes": []})

    @router.post(
        "/requests.{fmt}",
        summary="Open311: create a service request",
        openapi_extra={"requestBody": _request_body()},
        responses=_documented("The request's id, or a token.", 400, 403, 413, 429, 503),
    )
    async def create(fmt: Format, request: Request) -> Response:
        try:
            return await _create(fmt, request)
        except Open311Error as exc:
            return error(fmt, exc)

    async def _create(fmt: Format, request: Request) -> Response:
        fields, connector_id = await _read(request, gate, max_body_bytes)
        service = by_code.get(str(fields.get("service_code", "")))
        if service is None:
            raise Open311Error(400, "service_code is missing or not in services.json")
        adapter = with_region(adapter_for(service), gate.region_of(connector_id))
        try:
            body = adapter.model.model_validate(fields)
        except ValidationError as exc:
            raise Open311Error(400, describe(exc, 500)) from exc
        relay = request.app.state.relay
        try:
            done = await run_in_threadpool(
                partial(
                    accept,
                    request.app.state.repo,
                    adapter,
                    body,
                    connector_id=connector_id,
                    claim=relay.claim(),
                )
            )
        except (PyMongoError, TrackingNumbersExhausted, TimeoutError) as exc:  # see api.py
            raise Open311Error(
                503, "the complaint store is unavailable; retry later", {"Retry-After": "5"}
            ) from exc
        if done.stored is not None:
            relay.offer(done.stored)
        if service.type == "batch":
            return render(
                fmt, "service_requests", "request", [{"token": _token(connector_id, body)}]
            )
        notice = NOTICE.format(id=done.tracking_number)
        row = {
            "service_request_id": done.tracking_number,
            "service_notice": notice,
            "account_id": None,
        }
        return render(fmt, "service_requests", "request", [row])

    @router.get(
        "/tokens/{token}.{fmt}",
        summary="Open311: the request id behind a token",
        responses=_documented("The request id behind the token.", 404),
    )
    async def token(token: str, fmt: Format, request: Request) -> Response:
        connector_id, _, ref = token.partition("~")
        found = await run_in_threadpool(
            request.app.state.repo.find_by_channel_ref, "open311", ref, connector_id
        )
        if found is None:
            return error(fmt, Open311Error(404, "no request has this token"))
        row = {"service_request_id": found.tracking_number, "token": token}
        return render(fmt, "service_requests", "request", [row])

    return router


def _discovery(base_url: str) -> dict[str, Any]:
    """The spec's discovery document: one production endpoint, both formats."""
    return {
        "changeset": CHANGESET,
        "contact": "Pengelola Aduan (pengaduan pemerintah daerah)",
        "key_service": "API keys are issued per connector by the Aduan operators",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": f"{base_url}{PREFIX}",
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


def _token(connector_id: str, body: Any) -> str:
    """An opaque token: the connector and the request's reference (all `find_by_channel_ref` needs)."""
    return f"{connector_id}~{request_ref(body)}"


async def _read(request: Request, gate: Gate, limit: int) -> tuple[dict[str, Any], str]:
    """Authenticate (the `api_key` field, or the usual headers) and read the fields."""
    content_type = request.headers.get("content-type", "application/x-www-form-urlencoded")
    try:
        if "X-Api-Key" in request.headers or "X-Aduan-Signature" in request.headers:
            connector_id, raw = await admit(gate, request, limit)
            return form_fields(raw, content_type), connector_id
        fields = form_fields(await read_limited(request, limit), content_type)
        connector_id = gate.by_key(str(fields.pop("api_key", "")) or None)
        gate.throttle(connector_id)
        return fields, connector_id
    except Unauthorized as exc:
        raise Open311Error(403, str(exc)) from exc
    except RateLimited as exc:
        raise Open311Error(429, str(exc), retry_after(exc)) from exc
    except BodyTooLarge as exc:
        raise Open311Error(413, str(exc)) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise Open311Error(400, f"the body cannot be read: {describe(exc, 200)}") from exc
