"""The case the sla keeps per complaint: what it knows, and which LAPOR! status bucket it is in."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events import Channel, Classification, FollowUpKind
from shared.lifecycle import Status


class HeldEvent(BaseModel):
    """An OPD event read before its case could take it (Kafka orders a case's records per
    topic only): kept with its record's coordinates, applied when the case is ready for it,
    dead-lettered from there if it never is."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    topic: str
    partition: int
    offset: int
    key: str | None
    value: str  # the event exactly as read
    held_at: AwareDatetime


class FollowUp(BaseModel):
    """One follow-up an OPD posted. `text` stays in the sla's state for the CaseResolved event and
    is never written to the public view. `kind` is what the OPD declared; `judged` is the
    classifier's verdict (set once, when the follow-up is applied), with its rule and reason."""

    model_config = ConfigDict(frozen=True)

    kind: FollowUpKind
    at: AwareDatetime
    opd: str
    text: str
    author: str | None = None
    event_id: str | None = None
    template_code: str | None = None
    judged: FollowUpKind | None = None
    rule: str | None = None
    reason: str | None = None

    @property
    def effective(self) -> FollowUpKind:
        """The kind that counts: substantive only if declared so and not judged a template."""
        if self.kind is FollowUpKind.NORMATIVE:
            return self.kind
        return self.judged or self.kind

    def same_as(self, other: FollowUp) -> bool:
        """Whether `other` is this follow-up sent again (perhaps under a new event id)."""
        return (self.at, self.opd, self.text) == (other.at, other.opd, other.text)


class Pause(BaseModel):
    """A tunda: from `start` until the reporter completed the data (`end`)."""

    model_config = ConfigDict(frozen=True)

    start: AwareDatetime
    end: AwareDatetime | None = None


class SentAlert(BaseModel):
    """An alert the sla sent on `sla.alerts`; its id is deterministic (clocks.alert_id)."""

    model_config = ConfigDict(frozen=True)

    alert_id: str
    clock: str
    level: str
    at: AwareDatetime  # when the level was reached
    due: AwareDatetime


class TimelineEntry(BaseModel):
    """One applied event: when it happened, and the status the case had after it."""

    model_config = ConfigDict(frozen=True)

    at: AwareDatetime
    status: Status
    event_type: str


class Case(BaseModel):
    """The sla's state of one complaint (the `case` field of its `cases` document). No reporter
    identity."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    # None while only OPD events have been read: Kafka orders a case's records per topic only,
    # so complaints.updates may be read before complaints.received after a lag or a restart.
    tracking_number: str | None = None
    status: Status
    channel: Channel | None = None  # None until the received event has been seen
    title: str | None = None
    body: str | None = None
    classification: Classification | None = None
    category: str | None = None
    region_code: str | None = None
    incident_date: date | None = None
    anonymous: bool = False
    confidential: bool = False
    opd_code: str | None = None
    received_at: AwareDatetime | None = None
    assigned_at: AwareDatetime | None = None
    first_follow_up_at: AwareDatetime | None = None
    first_substantive_at: AwareDatetime | None = None
    resolved_at: AwareDatetime | None = None
    resolution: str | None = None
    follow_ups: tuple[FollowUp, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    correlation_id: str | None = None  # of the first event read: alerts and closes follow it
    # The clocks' input besides the times above (see services.sla.timing.clock_input).
    disposed_at: AwareDatetime | None = None  # the first disposition; kept at its first value
    reopened_at: AwareDatetime | None = None  # the latest reopen
    replies: tuple[AwareDatetime, ...] = ()  # the reporter's (or an admin's) replies
    postponements: tuple[Pause, ...] = ()
    closed_at: AwareDatetime | None = None  # closed or archived, cleared by a reopen
    alerts: tuple[SentAlert, ...] = ()  # sent once each: their ids survive restarts and replays
    # Resolution cycle: 1 for the first resolution, bumped by every reopen.
    version: int = Field(default=1, ge=1)
    # The highest `version` a CaseResolved was emitted for: emit once per resolution.
    resolved_emitted_version: int = 0
    # The last N applied event ids, newest last: a redelivered event is recognised and ignored.
    recent_event_ids: tuple[str, ...] = ()
    held: tuple[HeldEvent, ...] = ()

    @property
    def sent_alert_ids(self) -> frozenset[str]:
        """The ids of the alerts already sent."""
        return frozenset(alert.alert_id for alert in self.alerts)

    @property
    def has_complaint(self) -> bool:
        """Whether the received event (title, body, channel) has been merged in."""
        return self.channel is not None and self.received_at is not None

    def to_state(self) -> dict[str, Any]:
        """Return the JSON-serialisable form stored in Mongo."""
        return self.model_dump(mode="json")

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Case:
        """Rebuild a case from its stored form."""
        return cls.model_validate(state)


def earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    """Return the earlier of two optional times."""
    if a is None or b is None:
        return a or b
    return min(a, b)
