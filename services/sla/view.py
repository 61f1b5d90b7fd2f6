"""The case view: the Mongo document the sla projects, and the citizen's status answer.

The document and the wire answer are different classes with explicit conversion. Neither ever
holds reporter identity (the sla's state has none), the complaint body or follow-up texts, which
reporters and OPDs write freely and may contain personal data.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.sla.case import Case, Status

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class FollowUpDoc(BaseModel):
    """A follow-up in the view: who answered, when, and how (not what)."""

    kind: str
    at: datetime
    opd: str


class TimelineDoc(BaseModel):
    """A timeline entry in the view."""

    at: datetime
    status: Status
    event_type: str


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
    version: int = 1
    updated_at: datetime

    def to_mongo(self) -> dict[str, Any]:
        """Return the document as pymongo writes it."""
        return self.model_dump(by_alias=True, mode="python")


def to_document(case: Case) -> CaseDocument:
    """Project a case onto its view document (the case must know its tracking number).

    Everything in it comes from the case, `updated_at` included (the time of its latest
    fact), so projecting the same case twice writes the very same document.
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
        follow_ups=[FollowUpDoc(kind=f.kind, at=f.at, opd=f.opd) for f in case.follow_ups],
        timeline=[
            TimelineDoc(at=e.at, status=e.status, event_type=e.event_type) for e in case.timeline
        ],
        version=case.version,
        updated_at=max((e.at for e in case.timeline), default=case.received_at or _EPOCH),
    )


class TimelineRead(BaseModel):
    """A timeline entry as the citizen sees it."""

    at: AwareDatetime
    status: Status
    status_label: str
    event_type: str


class CaseStatusRead(BaseModel):
    """`GET /v1/cases/{tracking_number}`: where a complaint stands, without personal data."""

    tracking_number: str
    status: Status
    status_label: str
    opd_code: str | None
    classification: str | None
    category: str | None
    received_at: AwareDatetime | None
    assigned_at: AwareDatetime | None
    first_follow_up_at: AwareDatetime | None
    resolved_at: AwareDatetime | None
    timeline: list[TimelineRead]


def to_status_read(doc: CaseDocument) -> CaseStatusRead:
    """Turn a view document into the citizen's answer."""
    return CaseStatusRead(
        tracking_number=doc.tracking_number,
        status=doc.status,
        status_label=doc.status_label,
        opd_code=doc.opd_code,
        classification=doc.classification,
        category=doc.category,
        received_at=_utc(doc.received_at),
        assigned_at=_utc(doc.assigned_at),
        first_follow_up_at=_utc(doc.first_follow_up_at),
        resolved_at=_utc(doc.resolved_at),
        timeline=[
            TimelineRead(
                at=_utc(e.at) or e.at,
                status=e.status,
                status_label=e.status.label,
                event_type=e.event_type,
            )
            for e in doc.timeline
        ],
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _utc(value: datetime | None) -> datetime | None:
    """Mongo keeps milliseconds in UTC; a naive value read back is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
