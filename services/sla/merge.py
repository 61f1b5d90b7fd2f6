"""What each kind of event adds to a case's data, and the CaseResolved of a resolved case.
Pure. The status itself is the transition table's business (lifecycle.py), not this module's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.sla.case import Case, FollowUp, Status, TimelineEntry, earlier
from shared.events import (
    CaseResolved,
    Classification,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintResolved,
    Envelope,
    FollowUpKind,
    FollowUpPosted,
)


class Conflict(ValueError):
    """The event contradicts what the case already knows."""


def merge(case: Case | None, event: Envelope[Any]) -> Case:
    """Return `case` with the event's data merged in and its timeline entry added; raise
    Conflict when the event contradicts the case."""
    merged = _merged(case, event)
    if merged.correlation_id is None:
        merged = merged.model_copy(update={"correlation_id": event.correlation_id})
    return merged


def _merged(case: Case | None, event: Envelope[Any]) -> Case:
    data, complaint_id = event.data, event.subject
    if isinstance(data, ComplaintReceived):
        return _received(case, data, complaint_id, event.type)
    if isinstance(data, ComplaintAssigned):
        return _assigned(case, data, complaint_id, event.type)
    assert case is not None  # the table holds OPD events of unknown cases
    if isinstance(data, FollowUpPosted):
        return _follow_up(case, data, event.type, event.id)
    if isinstance(data, ComplaintResolved):
        return _resolve(case, data, event.type)
    if isinstance(data, ComplaintReopened):
        return _reopen(case, data, event.type)
    if isinstance(data, ComplaintClosed):
        return _close(case, data, event.type)
    raise AssertionError(f"no merge for {event.type}")  # kind_of() and this stay in step


def _received(
    case: Case | None, data: ComplaintReceived, complaint_id: str, event_type: str
) -> Case:
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
    base = case or Case(complaint_id=complaint_id, status=Status.RECEIVED)
    _check_tracking(base, data.tracking_number)
    # The router's classification (from the assignment) outranks the reporter's hint.
    fields["classification"] = base.classification or data.classification_hint
    entry = TimelineEntry(at=data.received_at, status=Status.RECEIVED, event_type=event_type)
    return _with_entry(base.model_copy(update=fields), entry)


def _assigned(
    case: Case | None, data: ComplaintAssigned, complaint_id: str, event_type: str
) -> Case:
    base = case or Case(complaint_id=complaint_id, status=Status.RECEIVED)
    _check_tracking(base, data.tracking_number)
    taken: dict[str, Any] = {"tracking_number": data.tracking_number}
    taken["classification"] = base.classification if base.opd_code else data.deadline_class
    # A triage assignment names the triage queue, not an OPD, and starts no OPD clock.
    if not data.triage and base.opd_code is None:
        taken |= {"opd_code": data.opd_code, "assigned_at": data.assigned_at}
    if not data.triage:  # the verification clock stops at the first disposition
        taken["disposed_at"] = earlier(base.disposed_at, data.assigned_at)
    status = Status.TRIAGE if data.triage else Status.ASSIGNED
    entry = TimelineEntry(at=data.assigned_at, status=status, event_type=event_type)
    return _with_entry(base.model_copy(update=taken), entry)


def _follow_up(case: Case, data: FollowUpPosted, event_type: str, event_id: str) -> Case:
    follow_up = FollowUp(
        kind=data.kind,
        at=data.posted_at,
        opd=data.opd_code,
        text=data.text,
        author=data.author,
        event_id=event_id,
        template_code=_template_code(data),
    )
    if any(follow_up.same_as(f) for f in case.follow_ups):  # sent twice, with a new event id
        return case
    substantive = data.kind is FollowUpKind.SUBSTANTIVE
    update: dict[str, Any] = {
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
    update: dict[str, Any] = {"resolved_at": data.resolved_at, "resolution": data.resolution}
    entry = TimelineEntry(at=data.resolved_at, status=Status.RESOLVED, event_type=event_type)
    return _with_entry(case.model_copy(update=update), entry)


def _template_code(data: FollowUpPosted) -> str | None:
    """The partner API's `template_code`, carried as an extra field of the follow-up."""
    code = (data.model_extra or {}).get("template_code")
    return str(code) if code else None


def _reopen(case: Case, data: ComplaintReopened, event_type: str) -> Case:
    """A new case version: the clocks restart from the reopen (the reply stops auto-close)."""
    update: dict[str, Any] = {
        "version": case.version + 1,
        "reopened_at": data.reopened_at,
        "replies": tuple(sorted({*case.replies, data.reopened_at})),
        "closed_at": None,
    }
    entry = TimelineEntry(at=data.reopened_at, status=Status.IN_PROGRESS, event_type=event_type)
    return _with_entry(case.model_copy(update=update), entry)


def _close(case: Case, data: ComplaintClosed, event_type: str) -> Case:
    update = {"closed_at": data.closed_at}
    entry = TimelineEntry(at=data.closed_at, status=Status.CLOSED, event_type=event_type)
    return _with_entry(case.model_copy(update=update), entry)


def resolution_due(case: Case) -> tuple[Case, CaseResolved | None]:
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


def _check_tracking(case: Case, tracking_number: str) -> None:
    if case.tracking_number not in (None, tracking_number):
        raise Conflict(
            f"tracking number {tracking_number!r} differs from the case's {case.tracking_number!r}"
        )
