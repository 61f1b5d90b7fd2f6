"""The channel routes: one `POST /v1/channels/<channel>/complaints` per adapter."""

from __future__ import annotations

import logging
import math
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError
from pymongo.errors import PyMongoError

from services.intake import metrics
from services.intake.accept import Acceptance, TrackingNumbersExhausted, accept
from services.intake.adapters import Adapter
from services.intake.connectors import with_region
from services.intake.repository import ComplaintRepository
from services.intake.security import (
    API_KEY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Gate,
    RateLimited,
    Unauthorized,
)

log = logging.getLogger(__name__)


class SubmissionAnswer(BaseModel):
    """What a connector gets back for an accepted (or repeated) submission."""

    complaint_id: str
    tracking_number: str
    status: Literal["received"] = "received"
    duplicate: bool
    status_url: str


class PartAnswer(BaseModel):
    """What a connector gets back for one part of a message still missing other parts."""

    status: Literal["partial"] = "partial"
    detail: str = "part stored; the complaint is made when every part has arrived"


class ErrorAnswer(BaseModel):
    """A refusal and its reason."""

    detail: str


class FieldError(BaseModel):
    """One invalid field and why; the input itself is never echoed."""

    loc: list[str | int]
    field: str
    msg: str
    type: str


class InvalidAnswer(BaseModel):
    """A 422: every invalid field with its reason."""

    detail: list[FieldError]


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Already received: the same complaint, again.", "model": SubmissionAnswer},
    401: {
        "description": "No credential, one no connector owns, or an old or replayed signature.",
        "model": ErrorAnswer,
    },
    413: {"description": "The body exceeds this channel's size limit.", "model": ErrorAnswer},
    422: {"description": "Invalid body: each field with its reason.", "model": InvalidAnswer},
    429: {"description": "The connector is over its rate; see Retry-After.", "model": ErrorAnswer},
    503: {"description": "The store is unavailable: nothing was accepted.", "model": ErrorAnswer},
}


class BodyTooLarge(Exception):
    """The request body exceeds the configured limit."""


async def read_limited(request: Request, limit: int) -> bytes:
    """Read the body, refusing it as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the body has {declared} bytes; the limit is {limit}")
    received = bytearray()
    async for chunk in request.stream():  # chunked uploads declare no length: count as we go
        received += chunk
        if len(received) > limit:
            raise BodyTooLarge(f"the body exceeds the limit of {limit} bytes")
    return bytes(received)


async def admit(gate: Gate, request: Request, limit: int) -> tuple[str, bytes]:
    """Identify the connector, read the body within `limit`, and take one of its rate tokens.

    An API key is checked before the body is read; a signature needs the body it signs.
    Raises Unauthorized, BodyTooLarge or RateLimited.
    """
    key = request.headers.get(API_KEY_HEADER)
    if key or SIGNATURE_HEADER not in request.headers:
        connector_id = gate.by_key(key)
        body = await read_limited(request, limit)
    else:
        body = await read_limited(request, limit)
        connector_id = gate.by_signature(
            request.headers.get(TIMESTAMP_HEADER), request.headers.get(SIGNATURE_HEADER), body
        )
    gate.throttle(connector_id)
    return connector_id, body


def retry_after(exc: RateLimited) -> dict[str, str]:
    """Return the Retry-After header of a rate-limit refusal (whole seconds, at least 1)."""
    return {"Retry-After": str(max(1, math.ceil(exc.retry_after_s)))}


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Per-field reasons, without echoing the input (it may be a NIK or a phone number)."""
    return [
        {
            "loc": ["body", *err["loc"]],
            "field": ".".join(str(part) for part in err["loc"]) or "body",
            "msg": err["msg"],
            "type": err["type"],
        }
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


def channel_router(adapter: Adapter[Any], *, gate: Gate, max_body_bytes: int) -> APIRouter:
    """Build the submission route of one channel."""
    channel = adapter.channel.value
    router = APIRouter(tags=[channel])

    def reject(
        status: int, outcome: str, detail: Any, headers: dict[str, str] | None = None
    ) -> HTTPException:
        metrics.SUBMISSIONS.labels(channel, outcome).inc()
        return HTTPException(status_code=status, detail=detail, headers=headers)

    @router.post(
        f"/v1/channels/{channel}/complaints",
        status_code=202,
        response_model=SubmissionAnswer | PartAnswer,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": adapter.schema()}},
            }
        },
        responses=RESPONSES,
        summary=f"Submit a complaint from the {channel} channel",
    )
    async def submit(
        request: Request,
        response: Response,
        api_key: Annotated[str | None, Header(alias=API_KEY_HEADER)] = None,
        timestamp: Annotated[str | None, Header(alias=TIMESTAMP_HEADER)] = None,
        signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
    ) -> SubmissionAnswer | PartAnswer:
        # The credential headers are declared for the OpenAPI document; `admit` reads them.
        try:
            connector_id, raw = await admit(gate, request, max_body_bytes)
            body = adapter.parse(raw)
        except Unauthorized as exc:
            raise reject(401, "unauthorized", str(exc)) from exc
        except RateLimited as exc:
            raise reject(429, "rate_limited", str(exc), retry_after(exc)) from exc
        except BodyTooLarge as exc:
            raise reject(413, "too_large", str(exc)) from exc
        except ValidationError as exc:
            raise reject(422, "invalid", field_errors(exc)) from exc
        regional = with_region(adapter, gate.region_of(connector_id))
        repo: ComplaintRepository = request.app.state.repo
        claim = request.app.state.relay.claim()
        try:
            if adapter.gather is not None:
                body = await run_in_threadpool(
                    adapter.gather, body, connector_id, request.app.state
                )
                if body is None:
                    metrics.SUBMISSIONS.labels(channel, "partial").inc()
                    return PartAnswer()
            done = await run_in_threadpool(
                partial(
                    accept,
                    repo,
                    regional,
                    body,
                    connector_id=connector_id,
                    claim=claim,
                )
            )
        except (PyMongoError, TrackingNumbersExhausted, TimeoutError) as exc:
            # TimeoutError: the group commit did not answer in time. The complaint may still be
            # stored; the connector's retry of the same reference then answers as a duplicate.
            log.error("cannot store complaint", extra={"channel": channel, "error": str(exc)[:500]})
            raise reject(
                503,
                "unavailable",
                "the complaint store is unavailable; nothing was accepted, please retry later",
                {"Retry-After": "5"},
            ) from exc
        return _answer(request, response, channel, done)

    return router


def _answer(
    request: Request, response: Response, channel: str, done: Acceptance
) -> SubmissionAnswer:
    status_url = f"/v1/cases/{done.tracking_number}"  # served by the sla service
    response.headers["Location"] = status_url
    if done.duplicate:
        response.status_code = 200
    elif done.stored is not None:
        request.app.state.relay.offer(done.stored)
    metrics.SUBMISSIONS.labels(channel, "duplicate" if done.duplicate else "accepted").inc()
    return SubmissionAnswer(
        complaint_id=done.complaint_id,
        tracking_number=done.tracking_number,
        duplicate=done.duplicate,
        status_url=status_url,
    )
