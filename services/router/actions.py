"""The coordinator's actions on a triaged case, as events: pure, no clients.

Dispose and reassign send `ComplaintReassigned` on complaints.assigned (the sla moves the case
from triage to the OPD) and `ComplaintDispatched` to the new OPD's topic; tunda sends
`ComplaintPostponed`; bukan wewenang `ComplaintForwarded`; arsip `ComplaintArchived`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.router.events import SOURCE, for_opd
from services.router.triage import TriagedCase
from shared.config import Topics
from shared.events import (
    Classification,
    ComplaintArchived,
    ComplaintAssigned,
    ComplaintDispatched,
    ComplaintForwarded,
    ComplaintPostponed,
    ComplaintReassigned,
    Payload,
    Priority,
    new_event,
)
from shared.events.payloads import OpdCode
from shared.kafka.records import Outgoing

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
MANUAL = "manual"  # the rule-set version named on a coordinator's assignment


class Dispose(BaseModel):
    """Give the case to an OPD (from triage, or away from a wrong one)."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["dispose"] = "dispose"
    opd: OpdCode
    reason: Text | None = None
    priority: Priority = Priority.NORMAL
    deadline_class: Classification | None = None


class Postpone(BaseModel):
    """Tunda: wait for data the reporter must give."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["postpone"] = "postpone"
    missing: list[Text] = Field(min_length=1)
    note: Text | None = None


class Forward(BaseModel):
    """Bukan wewenang: forward to the competent institution, named."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["forward"] = "forward"
    institution: Text
    reason: Text | None = None


class Archive(BaseModel):
    """Arsip, with a reason."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["archive"] = "archive"
    reason: Text


Action = Dispose | Postpone | Forward | Archive


def outcome(
    case: TriagedCase, action: Action, *, user: str, now: datetime, topics: Topics
) -> tuple[list[Outgoing], TriagedCase | None]:
    """Return the records to send and the case as it stays in triage (None: it left)."""
    if isinstance(action, Dispose):
        return _dispose(case, action, user, now, topics), None
    if isinstance(action, Postpone):
        data: Payload = ComplaintPostponed(
            missing=action.missing, note=action.note, by=user, postponed_at=now
        )
        stays = case.model_copy(update={"postponed": action.missing})
        return [_event(case, data, topics.assigned, now)], stays
    if isinstance(action, Forward):
        data = ComplaintForwarded(
            institution=action.institution, reason=action.reason, by=user, forwarded_at=now
        )
        return [_event(case, data, topics.assigned, now)], None
    data = ComplaintArchived(reason=action.reason, by=user, archived_at=now)
    return [_event(case, data, topics.assigned, now)], None


def _dispose(
    case: TriagedCase, action: Dispose, user: str, now: datetime, topics: Topics
) -> list[Outgoing]:
    deadline = action.deadline_class or case.complaint.classification_hint
    deadline = deadline or Classification.PENGADUAN
    moved = ComplaintReassigned(
        tracking_number=case.complaint.tracking_number,
        opd_code=action.opd,
        previous_opd=case.desk,
        by=user,
        reason=action.reason,
        priority=action.priority,
        deadline_class=deadline,
        reassigned_at=now,
    )
    assignment = ComplaintAssigned(
        tracking_number=case.complaint.tracking_number,
        opd_code=action.opd,
        ruleset_version=MANUAL,
        priority=action.priority,
        deadline_class=deadline,
        assigned_at=now,
    )
    dispatched = ComplaintDispatched(assignment=assignment, complaint=for_opd(case.complaint))
    return [
        _event(case, moved, topics.assigned, now),
        _event(case, dispatched, topics.opd(action.opd), now),
    ]


def _event(case: TriagedCase, data: Payload, topic: str, now: datetime) -> Outgoing:
    event = new_event(
        data,
        complaint_id=case.complaint_id,
        source=SOURCE,
        correlation_id=case.correlation_id,
        time=now,
    )
    return Outgoing.event(topic, event)
