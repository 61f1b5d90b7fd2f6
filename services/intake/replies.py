"""A reporter's reply on their own case: an e-mail answering one of notify's messages (or naming
its tracking number in the subject) is not a new complaint but a `ComplaintReopened` with
`by=reporter` on `complaints.updates`, which the sla applies (a resolved case reopens).

The reply counts only when its sender is the case's reporter: a forged In-Reply-To or a
tracking number read over someone's shoulder gives a new complaint, never a move on another
person's case. The reply is stored like a complaint, one document with its outbox event, so it
survives a Kafka outage and a redelivery of the same message is one reply.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ulid import ULID

from services.intake.adapters.base import Citation
from services.intake.repository import ComplaintRepository, StoredComplaint
from shared.events import ComplaintReopened, ReopenedBy, encode, new_event
from shared.events.factory import derived_id

_MAX_REASON = 4000  # the reply's text travels as the reopen's reason, never to a public view


def case_replied_to(repo: ComplaintRepository, citation: Citation) -> StoredComplaint | None:
    """Return the case the message answers, when its sender is that case's reporter."""
    for complaint_id in citation.complaint_ids:
        case = repo.find(complaint_id)
        if case is not None and _from_reporter(case, citation):
            return case
    for tracking_number in citation.tracking_numbers:
        case = repo.find_by_tracking_number(tracking_number)
        if case is not None and _from_reporter(case, citation):
            return case
    return None


def reply_document(
    case: StoredComplaint, citation: Citation, *, channel: str, ref: str, connector_id: str,
    outbox: Any,
) -> StoredComplaint:  # fmt: skip
    """The reply as a stored document: its own id and a tracking number of its own (the unique
    index), the channel reference as its idempotency key, and the reopen as its outbox event."""
    now = datetime.now(UTC)
    reply_id = str(ULID())
    reopened = ComplaintReopened(
        reopened_at=now, by=ReopenedBy.REPORTER, reason=citation.text[:_MAX_REASON] or None
    )
    event = new_event(
        reopened, complaint_id=case.complaint_id, source="/aduan/intake", time=now,
        correlation_id=case.correlation_id,
        event_id=derived_id(case.complaint_id, f"reply {channel} {ref}"),
    )  # fmt: skip
    return StoredComplaint(
        complaint_id=reply_id,
        tracking_number=f"{case.tracking_number}/{reply_id}",
        channel=channel,
        channel_ref=ref,
        connector_id=connector_id,
        correlation_id=case.correlation_id,
        received_at=now,
        complaint={"reply_on": case.complaint_id},
        outbox=outbox(encode(event).decode(), now),
    )


def _from_reporter(case: StoredComplaint, citation: Citation) -> bool:
    reporter = case.complaint.get("reporter") or {}
    address = (reporter.get("email") or "").lower()
    return bool(address) and address == (citation.sender or "").lower()
