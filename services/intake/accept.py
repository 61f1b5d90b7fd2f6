"""Accepting one submission: store it with its outbox event, or find the earlier copy."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from ulid import ULID

from services.intake.adapters import Adapter, Receipt
from services.intake.replies import case_replied_to, reply_document
from services.intake.repository import (
    ComplaintRepository,
    DuplicateComplaint,
    Outbox,
    StoredComplaint,
)
from services.intake.tracking import new_tracking_number
from shared.events import encode, new_event

log = logging.getLogger(__name__)

SOURCE = "/aduan/intake"
_TRACKING_ATTEMPTS = 5


@dataclass(frozen=True)
class Acceptance:
    """The answer to a submission; `stored` is the new complaint (None for a repeat)."""

    complaint_id: str
    tracking_number: str
    duplicate: bool
    stored: StoredComplaint | None = None


@dataclass(frozen=True)
class RelayClaim:
    """Who relays a new complaint's event, and for how long others leave it alone: the process
    that stored it hands it to its own relay at once instead of waiting for a scan."""

    owner: str
    lease: timedelta


class TrackingNumbersExhausted(RuntimeError):
    """Every fresh tracking number collided: something is wrong with the generator or index."""


def build_complaint(
    adapter: Adapter[Any],
    body: BaseModel,
    receipt: Receipt,
    complaint_id: str,
    claim: RelayClaim | None = None,
) -> StoredComplaint:
    """Turn a validated body into the document to store, its outbox event included (unmarked:
    the relay adds the possible duplicates before sending it, linker.py)."""
    payload = adapter.to_payload(body, receipt)
    event = new_event(payload, complaint_id=complaint_id, source=SOURCE, time=receipt.received_at)
    return StoredComplaint(
        complaint_id=complaint_id,
        tracking_number=payload.tracking_number,
        channel=payload.channel.value,
        channel_ref=payload.channel_ref,
        connector_id=receipt.connector_id,
        correlation_id=event.correlation_id,
        received_at=receipt.received_at,
        complaint=payload.model_dump(mode="json"),
        outbox=_outbox(encode(event).decode(), receipt.received_at, claim),
    )


def _outbox(event: str, now: datetime, claim: RelayClaim | None) -> Outbox:
    if claim is None:
        return Outbox(event=event)
    return Outbox(event=event, owner=claim.owner, lease_until=now + claim.lease)


def accept(
    repo: ComplaintRepository,
    adapter: Adapter[Any],
    body: BaseModel,
    *,
    connector_id: str,
    claim: RelayClaim | None = None,
) -> Acceptance:
    """Store a new complaint, or answer with the one already stored under the same reference.
    A message that answers a case of its own sender (`adapter.cites`) is stored as a reply on
    that case instead (replies.py); the answer then names the case.

    Raises pymongo errors when Mongo is unavailable: then nothing was accepted.
    """
    channel, ref = adapter.channel.value, adapter.channel_ref(body)
    citation = adapter.cites(body) if adapter.cites is not None else None
    case = case_replied_to(repo, citation) if citation is not None else None
    if citation is not None and case is not None:
        reply = reply_document(
            case, citation, channel=channel, ref=ref, connector_id=connector_id,
            outbox=lambda event, now: _outbox(event, now, claim),
        )  # fmt: skip
        return _reply(repo, case, reply)
    complaint_id = str(ULID())
    # Insert first, look up only on refusal: the unique index is the idempotency check, and a
    # look-up before every insert would cost a query (a full scan on FerretDB) per submission.
    for _ in range(_TRACKING_ATTEMPTS):
        receipt = Receipt(new_tracking_number(), datetime.now(UTC), connector_id)
        complaint = build_complaint(adapter, body, receipt, complaint_id, claim)
        try:
            repo.insert(complaint)
        except DuplicateComplaint:
            # FerretDB does not say which unique index refused the insert, so look: the same
            # reference was delivered before; otherwise the tracking number collided.
            earlier = repo.find_by_channel_ref(channel, ref, connector_id)
            if earlier is not None:
                return _duplicate(earlier)
            continue
        log.info("complaint accepted", extra=_ids(complaint) | {"channel": channel})
        return Acceptance(
            complaint_id, complaint.tracking_number, duplicate=False, stored=complaint
        )
    raise TrackingNumbersExhausted(f"{_TRACKING_ATTEMPTS} tracking numbers collided")


def _reply(repo: ComplaintRepository, case: StoredComplaint, reply: StoredComplaint) -> Acceptance:
    """Store a reply on `case`; the answer names the case (a redelivery: the same reply)."""
    try:
        repo.insert(reply)
    except DuplicateComplaint:
        return Acceptance(case.complaint_id, case.tracking_number, duplicate=True)
    log.info("reply on a case accepted", extra=_ids(case) | {"channel": reply.channel})
    return Acceptance(case.complaint_id, case.tracking_number, duplicate=False, stored=reply)


def _duplicate(earlier: StoredComplaint) -> Acceptance:
    log.info("duplicate submission", extra=_ids(earlier) | {"channel": earlier.channel})
    return Acceptance(earlier.complaint_id, earlier.tracking_number, duplicate=True)


def _ids(complaint: StoredComplaint) -> dict[str, Any]:
    return {"complaint_id": complaint.complaint_id, "correlation_id": complaint.correlation_id}
