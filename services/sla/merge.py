"""What each kind of event adds to a case's data, and the CaseResolved of a resolved case.
Pure. The status itself is the transition table's business (lifecycle.py), not this module's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from services.sla.case import Case, FollowUp, Pause, TimelineEntry, earlier
from shared.events import (
    CaseResolved,
    CaseResolvedV2,
    Classification,
    ComplaintArchived,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintForwarded,
    ComplaintPostponed,
    ComplaintReassigned,
    ComplaintReceived,
    ComplaintReopened,
    ComplaintResolved,
    ComplaintReturned,
    Envelope,
    FollowUpKind,
    FollowUpPosted,
    JudgedFollowUp,
)
from shared.lifecycle import Status


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
    data = event.data
    if isinstance(data, ComplaintReceived):
        return _received(case, data, event.subject, event.type)
    if isinstance(data, ComplaintAssigned):
        return _assigned(case, data, event.subject, event.type)
    assert case is not None  # the table holds OPD events of unknown cases
    if isinstance(data, FollowUpPosted):
        return _follow_up(case, data, event.type, event.id)
    merge_one = _MERGES.get(type(data))
    if merge_one is None:
        raise AssertionError(f"no merge for {event.type}")  # kind_of() and this stay in step
    return merge_one(case, data, event.type)


def _reassigned(case: Case, data: ComplaintReassigned, event_type: str) -> Case:
    """Disposed from triage, or moved to another OPD: the OPD's clocks start again."""
    update: dict[str, Any] = {
        "opd_code": data.opd_code,
        "assigned_at": data.reassigned_at,
        "disposed_at": case.disposed_at or data.reassigned_at,
        "classification": data.deadline_class,
        "postponements": _resumed(case, data.reassigned_at),
    }
    return _entry(case, update, data.reassigned_at, Status.ASSIGNED, event_type)


def _returned(case: Case, data: ComplaintReturned, event_type: str) -> Case:
    """Not the OPD's competence: back to triage, and the next OPD starts afresh."""
    update = {"opd_code": None, "assigned_at": None}
    return _entry(case, update, data.returned_at, Status.TRIAGE, event_type)


def _postponed(case: Case, data: ComplaintPostponed, event_type: str) -> Case:
    pauses = (*case.postponements, Pause(start=data.postponed_at))
    update = {"postponements": pauses}
    return _entry(case, update, data.postponed_at, Status.POSTPONED, event_type)


def _archived(case: Case, data: ComplaintArchived, event_type: str) -> Case:
    update = {"closed_at": data.archived_at}
    return _entry(case, update, data.archived_at, Status.ARCHIVED, event_type)


def _forwarded(case: Case, data: ComplaintForwarded, event_type: str) -> Case:
    update = {"closed_at": data.forwarded_at}
    return _entry(case, update, data.forwarded_at, Status.FORWARDED, event_type)


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


def _resumed(case: Case, at: Any) -> tuple[Pause, ...]:
    """End an open tunda: the case moves again."""
    return tuple(p if p.end else p.model_copy(update={"end": at}) for p in case.postponements)


def _entry(case: Case, update: dict[str, Any], at: Any, status: Status, event_type: str) -> Case:
    entry = TimelineEntry(at=at, status=status, event_type=event_type)
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


def case_resolved(case: Case, version: int = 2) -> CaseResolved:
    """Build the CaseResolved payload of a resolved case (no reporter identity: sla has none).

    Version 2 (the default) carries the sla's judgement of each follow-up next to the kind the
    OPD declared; version 1 only the declared kind, for consumers not upgraded yet."""
    assert case.channel and case.title and case.body and case.received_at  # has_complaint
    assert case.tracking_number  # the received event brought it
    assert case.opd_code and case.resolved_at and case.resolution  # set by _resolve
    fields: dict[str, Any] = {
        "tracking_number": case.tracking_number,
        "channel": case.channel,
        "title": case.title,
        "body": case.body,
        "classification": case.classification or Classification.PENGADUAN,
        "category": case.category,
        "opd_code": case.opd_code,
        "region_code": case.region_code,
        "incident_date": case.incident_date,
        "anonymous": case.anonymous,
        "confidential": case.confidential,
        "received_at": case.received_at,
        "assigned_at": case.assigned_at,
        "first_follow_up_at": case.first_follow_up_at,
        "resolved_at": case.resolved_at,
        "resolution": case.resolution,
        "case_version": case.version,
    }
    if version == 1:
        return CaseResolved(follow_ups=[_posted(f) for f in case.follow_ups], **fields)
    return CaseResolvedV2(follow_ups=[_judged(f) for f in case.follow_ups], **fields)


def _posted(f: FollowUp) -> FollowUpPosted:
    return FollowUpPosted(opd_code=f.opd, text=f.text, kind=f.kind, author=f.author, posted_at=f.at)


def _judged(f: FollowUp) -> JudgedFollowUp:
    if f.judged is None:  # stored before the sla judged follow-ups: it stands as declared
        judged, rule, reason = f.kind, "declared", "not judged: stored before judging began"
    else:
        judged, rule, reason = f.judged, f.rule or "", f.reason or ""
    return JudgedFollowUp(
        opd_code=f.opd, text=f.text, kind=f.kind, author=f.author, posted_at=f.at,
        judged_kind=judged, judged_rule=rule, judged_reason=reason,
    )  # fmt: skip


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


# The merges that need only the case, the payload and the event type.
_MERGES: dict[type, Callable[[Case, Any, str], Case]] = {
    ComplaintResolved: _resolve,
    ComplaintReopened: _reopen,
    ComplaintClosed: _close,
    ComplaintReassigned: _reassigned,
    ComplaintReturned: _returned,
    ComplaintPostponed: _postponed,
    ComplaintArchived: _archived,
    ComplaintForwarded: _forwarded,
}
