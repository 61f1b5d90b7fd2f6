"""What the gateway keeps of an OPD's case, and how each consumed event moves it. Pure.

The status follows the shared transition table (`shared.lifecycle`), the one the sla applies,
so the inbox can refuse what the sla would refuse. The owner is the OPD of the latest dispatch
or reassignment: an OPD that lost a case can no longer see it or act on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel

from shared.events import ComplaintDispatched, ComplaintReassigned, Envelope
from shared.lifecycle import Kind, Status, kind_of, next_status


@dataclass(frozen=True)
class Read:
    """An event and its bytes as consumed (what a webhook sends on)."""

    event: Envelope[Any]
    body: str


class OpdCase(BaseModel):
    """The stored document of one case (`_id` = complaint id); not a wire model."""

    complaint_id: str
    opd_code: str
    status: Status
    tracking_number: str
    correlation_id: str
    dispatch: dict[str, Any]  # the ComplaintDispatched data as the OPD topic carried it
    dispatched_at: AwareDatetime
    updated_at: AwareDatetime
    recent_event_ids: list[str] = []

    def seen(self, event_id: str) -> bool:
        """Whether this event was applied to the case already (a replay)."""
        return event_id in self.recent_event_ids


def moved(status: Status | None, kind: Kind) -> Status | None:
    """Return the status `kind` moves a case in `status` to, or None when it stays (KEEP,
    HOLD) or the table refuses it (the sla dead-letters that event; the case is unchanged)."""
    target = next_status(status, kind)
    return target if isinstance(target, Status) else None


def track(
    case: OpdCase | None, event: Envelope[Any], *, now: datetime, keep: int
) -> OpdCase | None:
    """Return the case after `event`; None when the event is of no case the gateway knows."""
    data = event.data
    if isinstance(data, ComplaintDispatched):
        return _dispatched(case, event, data, now=now, keep=keep)
    if case is None or case.seen(event.id):
        return case
    update: dict[str, Any] = {"updated_at": now}
    kind = kind_of(data)
    if kind is not None:
        update["status"] = moved(case.status, kind) or case.status
    if isinstance(data, ComplaintReassigned):
        update["opd_code"] = data.opd_code
    update["recent_event_ids"] = [*case.recent_event_ids, event.id][-keep:]
    return case.model_copy(update=update)


def _dispatched(
    case: OpdCase | None,
    event: Envelope[Any],
    data: ComplaintDispatched,
    *,
    now: datetime,
    keep: int,
) -> OpdCase:
    if case is not None and case.seen(event.id):
        return case
    # A dispatch makes the case the OPD's to answer; a later status (the OPD already answered
    # a case dispatched again after a reassignment read first) stays.
    fresh = case is None or case.status in (Status.RECEIVED, Status.TRIAGE)
    ids = [*(case.recent_event_ids if case else []), event.id][-keep:]
    return OpdCase(
        complaint_id=event.subject,
        opd_code=data.assignment.opd_code,
        status=Status.ASSIGNED if fresh or case is None else case.status,
        tracking_number=data.complaint.tracking_number,
        correlation_id=event.correlation_id,
        dispatch=data.model_dump(mode="json"),
        dispatched_at=event.time,
        updated_at=now,
        recent_event_ids=ids,
    )
