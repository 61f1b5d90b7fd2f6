"""Webhook deliveries: the stored log entry of each, the order they go out in, and what an
HTTP answer means for them. Pure.

Per OPD, deliveries go out one at a time in `order` (the order the consumer stored them in),
and the first one not yet delivered holds every later one of that OPD while it fails for a
reason that may pass (a timeout, a 5xx, a 429): each event once, in order. One the receiver
refuses for good (another 4xx) is marked `failed` with the answer, like a dead letter, and the
OPD's queue moves on; `python -m services.opd_gateway redeliver` puts it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel


class DeliveryState(StrEnum):
    """Where one delivery stands."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Verdict(StrEnum):
    """What one attempt's answer means."""

    DELIVERED = "delivered"
    RETRY = "retry"  # the receiver may take it later: hold the queue and try again
    REJECTED = "rejected"  # the receiver refuses it for good: log it failed, move on


class Delivery(BaseModel):
    """One event for one OPD's webhook: the delivery log entry (`_id` = `<opd>:<event id>`)."""

    opd_code: str
    event_id: str  # also the Idempotency-Key the receiver dedups on
    event_type: str
    complaint_id: str
    body: str  # the CloudEvent exactly as consumed
    order: str  # sorts the OPD's deliveries in the order they were consumed
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    last_status: int | None = None
    last_error: str | None = None
    created_at: AwareDatetime
    last_attempt_at: AwareDatetime | None = None
    delivered_at: AwareDatetime | None = None

    @property
    def key(self) -> str:
        """Return the document id: one delivery per OPD and event, whatever replays."""
        return delivery_key(self.opd_code, self.event_id)


def delivery_key(opd_code: str, event_id: str) -> str:
    """Return the id of an OPD's delivery of an event."""
    return f"{opd_code}:{event_id}"


def order_key(stored_at_ns: int, position: int) -> str:
    """Return a sortable order: when the batch was stored, then the record's place in it."""
    return f"{stored_at_ns:020d}.{position:06d}"


def in_order(pending: Iterable[Delivery]) -> list[Delivery]:
    """Return an OPD's pending deliveries in the order they must go out."""
    return sorted(pending, key=lambda d: (d.order, d.event_id))


def verdict(status: int) -> Verdict:
    """Classify an HTTP status: 2xx delivered; 408, 425, 429 and 5xx retried; else rejected."""
    if 200 <= status < 300:
        return Verdict.DELIVERED
    if status in (408, 425, 429) or status >= 500:
        return Verdict.RETRY
    return Verdict.REJECTED


def attempted(
    delivery: Delivery, *, at: datetime, status: int | None, error: str | None, verdict: Verdict
) -> Delivery:
    """Return the delivery after one attempt."""
    state = {
        Verdict.DELIVERED: DeliveryState.DELIVERED,
        Verdict.RETRY: DeliveryState.PENDING,
        Verdict.REJECTED: DeliveryState.FAILED,
    }[verdict]
    return delivery.model_copy(
        update={
            "state": state,
            "attempts": delivery.attempts + 1,
            "last_status": status,
            "last_error": error,
            "last_attempt_at": at,
            "delivered_at": at if state is DeliveryState.DELIVERED else None,
        }
    )
