"""The case view: the Mongo document the sla projects, and the citizen's status answer.

The document and the wire answer are different classes with explicit conversion. Neither ever
holds reporter identity (the sla's state has none), the complaint body or follow-up texts, which
reporters and OPDs write freely and may contain personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.sla.case import Case
from services.sla.clocks import ClockName, ClockState, alert_id
from shared.lifecycle import Status

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class FollowUpDoc(BaseModel):
    """A follow-up in the view: who answered, when, and how (not what): the kind that counts,
    the kind declared, and the classifier's rule and reason."""

    kind: str
    at: datetime
    opd: str
    declared: str | None = None
    rule: str | None = None
    reason: str | None = None


class TimelineDoc(BaseModel):
    """A timeline entry in the view."""

    at: datetime
    status: Status
    event_type: str


class AlertDoc(BaseModel):
    """One level of a clock: when it is (or was) reached, and whether its alert went out."""

    level: str
    at: datetime | None
    sent: bool


class ClockDoc(BaseModel):
    """One clock of the case: its start, deadline, stop and alerts."""

    clock: str
    start: datetime
    limit_days: float
    due: datetime | None  # None while paused (tunda)
    stopped_at: datetime | None
    paused_since: datetime | None
    alerts: list[AlertDoc] = Field(default_factory=list)


class CaseDocument(BaseModel):
    """One document of the `cases` collection, keyed by complaint id."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id")
    tracking_number: str
    status: Status
    status_label: str
    opd_code: str | None = None
    channel: str | None = None
    title: str | None = None
    classification: str | None = None
    category: str | None = None
    region_code: str | None = None
    incident_date: str | None = None  # BSON has no date-only type
    anonymous: bool = False
    confidential: bool = False
    received_at: datetime | None = None
    assigned_at: datetime | None = None
    first_follow_up_at: datetime | None = None
    first_substantive_at: datetime | None = None
    resolved_at: datetime | None = None
    follow_ups: list[FollowUpDoc] = Field(default_factory=list)
    timeline: list[TimelineDoc] = Field(default_factory=list)
    clocks: list[ClockDoc] = Field(default_factory=list)
    expected_at: datetime | None = None  # the completion clock's due time
    version: int = 1
    updated_at: datetime

    def to_mongo(self) -> dict[str, Any]:
        """Return the document as pymongo writes it."""
        return self.model_dump(by_alias=True, mode="python")


def to_document(case: Case, clocks: Sequence[ClockState] = ()) -> CaseDocument:
    """Project a case and its clocks onto its view document (the case must know its tracking
    number).

    Everything in it comes from the case, `updated_at` included (the time of its latest
    fact), and the clocks are computed as of that time, so projecting the same case twice
    writes the very same document.
    """
    assert case.tracking_number is not None, "no view before the tracking number is known"
    return CaseDocument(
        id=case.complaint_id,
        tracking_number=case.tracking_number,
        status=case.status,
        status_label=case.status.label,
        opd_code=case.opd_code,
        channel=case.channel,
        title=case.title,
        classification=case.classification,
        category=case.category,
        region_code=case.region_code,
        incident_date=_iso(case.incident_date),
        anonymous=case.anonymous,
        confidential=case.confidential,
        received_at=case.received_at,
        assigned_at=case.assigned_at,
        first_follow_up_at=case.first_follow_up_at,
        first_substantive_at=case.first_substantive_at,
        resolved_at=case.resolved_at,
        follow_ups=[
            FollowUpDoc(
                kind=f.effective, at=f.at, opd=f.opd, declared=f.kind, rule=f.rule, reason=f.reason
            )
            for f in case.follow_ups
        ],
        timeline=[
            TimelineDoc(at=e.at, status=e.status, event_type=e.event_type) for e in case.timeline
        ],
        clocks=[_clock_doc(state, case.sent_alert_ids) for state in clocks],
        expected_at=next((s.due for s in clocks if s.clock is ClockName.COMPLETION), None),
        version=case.version,
        updated_at=max((e.at for e in case.timeline), default=case.received_at or _EPOCH),
    )


def _clock_doc(state: ClockState, sent: frozenset[str]) -> ClockDoc:
    alerts = [
        AlertDoc(
            level=point.level,
            at=point.at,
            sent=alert_id(state.complaint_id, state.clock, point.level, state.start) in sent,
        )
        for point in state.alerts
    ]
    return ClockDoc(
        clock=state.clock,
        start=state.start,
        limit_days=state.limit_days,
        due=state.due,
        stopped_at=state.stopped_at,
        paused_since=state.paused_since,
        alerts=alerts,
    )


class TimelineRead(BaseModel):
    """A timeline entry as the citizen sees it."""

    at: AwareDatetime
    status: Status
    status_label: str
    event_type: str


class AlertRead(BaseModel):
    """A level of a clock: when it is reached, and whether its alert went out."""

    level: str
    at: AwareDatetime | None
    sent: bool


class ClockRead(BaseModel):
    """A clock of the case: start, deadline, stop and alerts."""

    clock: str
    start: AwareDatetime
    limit_days: float
    due: AwareDatetime | None
    stopped_at: AwareDatetime | None
    paused_since: AwareDatetime | None
    alerts: list[AlertRead]


class CaseStatusRead(BaseModel):
    """`GET /v1/cases/{tracking_number}`: where a complaint stands, without personal data and,
    for a confidential case, without its title."""

    tracking_number: str
    status: Status
    status_label: str
    title: str | None
    opd_code: str | None
    classification: str | None
    category: str | None
    received_at: AwareDatetime | None
    assigned_at: AwareDatetime | None
    first_follow_up_at: AwareDatetime | None
    resolved_at: AwareDatetime | None
    expected_at: AwareDatetime | None
    version: int
    timeline: list[TimelineRead]
    clocks: list[ClockRead]


class CaseOpdRead(CaseStatusRead):
    """`GET /v1/opd/cases/...`: the OPD's own case, with its follow-ups' kinds and reasons."""

    confidential: bool
    follow_ups: list[FollowUpDoc]


def to_status_read(doc: CaseDocument) -> CaseStatusRead:
    """Turn a view document into the citizen's answer."""
    return CaseStatusRead(**_read_fields(doc))


def to_opd_read(doc: CaseDocument) -> CaseOpdRead:
    """Turn a view document into its OPD's answer (the title even when confidential)."""
    fields = _read_fields(doc) | {"title": doc.title, "confidential": doc.confidential}
    return CaseOpdRead(**fields, follow_ups=doc.follow_ups)


def _read_fields(doc: CaseDocument) -> dict[str, Any]:
    return {
        "tracking_number": doc.tracking_number,
        "status": doc.status,
        "status_label": doc.status_label,
        "title": None if doc.confidential else doc.title,
        "opd_code": doc.opd_code,
        "classification": doc.classification,
        "category": doc.category,
        "received_at": utc(doc.received_at),
        "assigned_at": utc(doc.assigned_at),
        "first_follow_up_at": utc(doc.first_follow_up_at),
        "resolved_at": utc(doc.resolved_at),
        "expected_at": utc(doc.expected_at),
        "version": doc.version,
        "timeline": [
            TimelineRead(
                at=utc(e.at) or e.at,
                status=e.status,
                status_label=e.status.label,
                event_type=e.event_type,
            )
            for e in doc.timeline
        ],
        "clocks": [_clock_read(c) for c in doc.clocks],
    }


def _clock_read(doc: ClockDoc) -> ClockRead:
    return ClockRead(
        clock=doc.clock,
        start=utc(doc.start) or doc.start,
        limit_days=doc.limit_days,
        due=utc(doc.due),
        stopped_at=utc(doc.stopped_at),
        paused_since=utc(doc.paused_since),
        alerts=[AlertRead(level=a.level, at=utc(a.at), sent=a.sent) for a in doc.alerts],
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def utc(value: datetime | None) -> datetime | None:
    """Mongo keeps milliseconds in UTC; a naive value read back is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
