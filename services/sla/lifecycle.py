"""The case state machine: one event and the current case in, a decision out. Pure.

Transitions (status never moves to a lower rank, see `Status`):
  received -> triage | assigned;  triage -> assigned;  assigned -> in_progress (a follow-up);
  assigned | in_progress -> resolved.

Out-of-order rule: the three input topics are consumed as one stream but Kafka orders records
only within one partition of one topic, so a case's `assigned` may arrive before its `received`.
A received or assigned event always merges its data; an event whose status is behind the case's
(a late `received`, a late `triage` assignment) fills only what is still missing and records its
timeline entry, without moving the status back. An assignment at or ahead of the current status
takes over the OPD and assignment time (a re-disposition). Follow-ups and resolutions come from
an OPD that was given the case, so they need a known case and are rejected otherwise; they are
also rejected once the case is resolved (reopening is a later issue). The timeline records what
each event meant, sorted by the time it happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.sla.case import Case, FollowUp, Status, TimelineEntry, earlier
from shared.events import (
    CaseResolved,
    Classification,
    ComplaintAssigned,
    ComplaintReceived,
    ComplaintResolved,
    Envelope,
    FollowUpKind,
    FollowUpPosted,
)
from shared.events.payloads import Payload


@dataclass(frozen=True)
class Applied:
    """The event changed the case; `resolved` is set when a CaseResolved must be emitted."""

    case: Case
    previous: Case | None
    resolved: CaseResolved | None = None


@dataclass(frozen=True)
class Duplicate:
    """The event was applied before: nothing to do."""

    case: Case


@dataclass(frozen=True)
class Rejected:
    """The event is not a valid transition of this case; it goes to the dead-letter topic."""

    reason: str


Decision = Applied | Duplicate | Rejected


def apply(current: Case | None, event: Envelope[Any], *, keep_event_ids: int = 64) -> Decision:
    """Decide what `event` does to `current` (None when the case is unknown)."""
    if current is not None and event.id in current.recent_event_ids:
        return Duplicate(current)
    outcome = _transition(current, event.data, event.subject, event.type)
    if isinstance(outcome, Rejected):
        return outcome
    ids = (*outcome.recent_event_ids, event.id)[-keep_event_ids:]
    case, resolved = _maybe_resolution(outcome.model_copy(update={"recent_event_ids": ids}))
    return Applied(case=case, previous=current, resolved=resolved)


def _transition(
    case: Case | None, data: Payload, complaint_id: str, event_type: str
) -> Case | Rejected:
    if isinstance(data, ComplaintReceived):
        return _received(case, data, complaint_id, event_type)
    if isinstance(data, ComplaintAssigned):
        return _assigned(case, data, complaint_id, event_type)
    if isinstance(data, FollowUpPosted | ComplaintResolved):
        return _opd_event(case, data, complaint_id, event_type)
    return Rejected(f"{event_type} is not an event of the case lifecycle")


def _opd_event(
    case: Case | None, data: FollowUpPosted | ComplaintResolved, complaint_id: str, event_type: str
) -> Case | Rejected:
    if case is None:  # read before the case's received or assigned event: merge, do not lose it
        case = Case(complaint_id=complaint_id, status=Status.RECEIVED)
    if case.status is Status.RESOLVED:
        return Rejected(f"{event_type} for a case already resolved at {case.resolved_at}")
    if isinstance(data, FollowUpPosted):
        return _follow_up(case, data, event_type)
    return _resolve(case, data, event_type)


def _received(
    case: Case | None, data: ComplaintReceived, complaint_id: str, event_type: str
) -> Case | Rejected:
    fields: dict[str, Any] = {
        "tracking_number": data.tracking_number,
        "channel": data.channel,
        "title": data.title,
        "body": data.body,
        "category": data.category_hint,
        "region_code": data.location.region_code,
        "incident_date": data.incident_date,
        "anonymous": data.anonymous,
        "confidential": data.confidential,
        "received_at": data.received_at,
    }
    entry = TimelineEntry(at=data.received_at, status=Status.RECEIVED, event_type=event_type)
    if case is None:
        return Case(
            complaint_id=complaint_id,
            status=Status.RECEIVED,
            classification=data.classification_hint,
            timeline=(entry,),
            **fields,
        )
    if case.tracking_number not in (None, data.tracking_number):
        return _tracking_conflict(case, data.tracking_number)
    # The router's classification (from the assignment) outranks the reporter's hint.
    fields["classification"] = case.classification or data.classification_hint
    return _with_entry(case.model_copy(update=fields), entry)


def _assigned(
    case: Case | None, data: ComplaintAssigned, complaint_id: str, event_type: str
) -> Case | Rejected:
    target = Status.TRIAGE if data.triage else Status.ASSIGNED
    entry = TimelineEntry(at=data.assigned_at, status=target, event_type=event_type)
    # A triage assignment names the triage queue, not an OPD, and starts no OPD clock.
    taken: dict[str, Any] = {"classification": data.deadline_class}
    if not data.triage:
        taken |= {"opd_code": data.opd_code, "assigned_at": data.assigned_at}
    if case is None:
        case = Case(complaint_id=complaint_id, tracking_number=data.tracking_number, status=target)
        return _with_entry(case.model_copy(update=taken), entry)
    if case.tracking_number not in (None, data.tracking_number):
        return _tracking_conflict(case, data.tracking_number)
    taken["tracking_number"] = data.tracking_number
    if target.rank >= case.status.rank:
        return _with_entry(case.model_copy(update={**taken, "status": target}), entry)
    missing = {key: value for key, value in taken.items() if getattr(case, key) is None}
    return _with_entry(case.model_copy(update=missing), entry)


def _follow_up(case: Case, data: FollowUpPosted, event_type: str) -> Case:
    follow_up = FollowUp(
        kind=data.kind, at=data.posted_at, opd=data.opd_code, text=data.text, author=data.author
    )
    substantive = data.kind is FollowUpKind.SUBSTANTIVE
    update: dict[str, Any] = {
        "status": _at_least(case.status, Status.IN_PROGRESS),
        "opd_code": case.opd_code or data.opd_code,
        "follow_ups": tuple(sorted((*case.follow_ups, follow_up), key=lambda f: f.at)),
        "first_follow_up_at": earlier(case.first_follow_up_at, data.posted_at),
        "first_substantive_at": (
            earlier(case.first_substantive_at, data.posted_at)
            if substantive
            else case.first_substantive_at
        ),
    }
    entry = TimelineEntry(at=data.posted_at, status=Status.IN_PROGRESS, event_type=event_type)
    return _with_entry(case.model_copy(update=update), entry)


def _resolve(case: Case, data: ComplaintResolved, event_type: str) -> Case:
    update: dict[str, Any] = {
        "status": Status.RESOLVED,
        "opd_code": case.opd_code or data.opd_code,
        "resolved_at": data.resolved_at,
        "resolution": data.resolution,
    }
    entry = TimelineEntry(at=data.resolved_at, status=Status.RESOLVED, event_type=event_type)
    return _with_entry(case.model_copy(update=update), entry)


def _maybe_resolution(case: Case) -> tuple[Case, CaseResolved | None]:
    """Emit CaseResolved once per resolution, as soon as the complaint's own data is known (a
    resolution may be applied before a late `received` event brings title and body)."""
    if case.status is not Status.RESOLVED or case.resolved_emitted_version >= case.version:
        return case, None
    if not case.has_complaint:
        return case, None
    emitted = case.model_copy(update={"resolved_emitted_version": case.version})
    return emitted, case_resolved(emitted)


def case_resolved(case: Case) -> CaseResolved:
    """Build the CaseResolved payload of a resolved case (no reporter identity: sla has none)."""
    assert case.channel and case.title and case.body and case.received_at  # has_complaint
    assert case.tracking_number  # the received event brought it
    assert case.opd_code and case.resolved_at and case.resolution  # set by _resolve
    return CaseResolved(
        tracking_number=case.tracking_number,
        channel=case.channel,
        title=case.title,
        body=case.body,
        classification=case.classification or Classification.PENGADUAN,
        category=case.category,
        opd_code=case.opd_code,
        region_code=case.region_code,
        incident_date=case.incident_date,
        anonymous=case.anonymous,
        confidential=case.confidential,
        received_at=case.received_at,
        assigned_at=case.assigned_at,
        first_follow_up_at=case.first_follow_up_at,
        resolved_at=case.resolved_at,
        resolution=case.resolution,
        follow_ups=[
            FollowUpPosted(
                opd_code=f.opd, text=f.text, kind=f.kind, author=f.author, posted_at=f.at
            )
            for f in case.follow_ups
        ],
        case_version=case.version,
    )


def _with_entry(case: Case, entry: TimelineEntry) -> Case:
    """Add a timeline entry unless the same one is there (a re-sent event with a new id)."""
    if entry in case.timeline:
        return case
    return case.model_copy(update={"timeline": tuple(sorted((*case.timeline, entry), key=_at))})


def _at(entry: TimelineEntry) -> datetime:
    return entry.at


def _at_least(current: Status, target: Status) -> Status:
    return target if target.rank > current.rank else current


def _tracking_conflict(case: Case, tracking_number: str) -> Rejected:
    return Rejected(
        f"tracking number {tracking_number!r} differs from the case's {case.tracking_number!r}"
    )
