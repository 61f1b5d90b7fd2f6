"""Payload models: each class names the fact it records. Version 1 of each."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.regions import RegionCode

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
OpdCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,39}$")]


class Payload(BaseModel):
    """Base of every payload: immutable, and unknown fields are kept for forward compatibility."""

    model_config = ConfigDict(frozen=True, extra="allow")


class Channel(StrEnum):
    """Where a complaint entered."""

    WEB = "web"
    CALLCENTER = "callcenter"
    SOCIAL = "social"
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    SMS = "sms"
    WALKIN = "walkin"
    OPEN311 = "open311"
    IMPORT = "import"


class Classification(StrEnum):
    """LAPOR! classifications; each has its own completion deadline."""

    ASPIRASI = "aspirasi"
    PENGADUAN = "pengaduan"  # tidak berkadar pengawasan
    PENGADUAN_PENGAWASAN = "pengaduan_pengawasan"  # berkadar pengawasan: needs investigation
    PERMINTAAN_INFORMASI = "permintaan_informasi"


class Priority(StrEnum):
    """Handling priority set by the routing rule."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class FollowUpKind(StrEnum):
    """A template-only answer is normative; only a substantive one counts as real follow-up."""

    NORMATIVE = "normative"
    SUBSTANTIVE = "substantive"


class Location(Payload):
    """Where the incident happened."""

    text: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    region_code: RegionCode | None = None  # "35" or "35.78" (Surabaya); "3578" is read as "35.78"


class Attachment(Payload):
    """A reference to a stored file, never the bytes."""

    url: str
    media_type: str | None = None
    name: str | None = None
    size: int | None = Field(default=None, ge=0)  # bytes, when the connector or parser knows it
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


class Reporter(Payload):
    """Personal data: stays inside the pipeline and never reaches a public output."""

    name: str | None = None
    nik: Annotated[str, StringConstraints(pattern=r"^\d{16}$")] | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    handle: str | None = None  # a social-media account, e.g. "@budi_sby"; personal data too


class Entry(Payload):
    """How the complaint entered: which connector, and the officer for walk-in or phone."""

    connector_id: str
    officer_id: str | None = None  # the desk officer, or the call-center agent who took the call
    # Where inside the channel: social platform (x, instagram, ...), call line (112), SMS gateway.
    source: str | None = None
    source_url: str | None = None  # the public post or comment; it may name its author
    sent_at: AwareDatetime | None = None  # as the source saw it: posted, call start, Date header
    ended_at: AwareDatetime | None = None  # a call's end


class Thread(Payload):
    """What a message answers, by the channel's native ids (e-mail Message-IDs, post ids).

    A later step links it to the case whose channel_ref is among these; intake only records them.
    """

    reply_to: str | None = None
    references: list[str] = Field(default_factory=list)


class DuplicateLink(Payload):
    """An open complaint this one may duplicate: linked for people to judge, never merged."""

    complaint_id: str
    tracking_number: str
    score: float = Field(ge=0, le=1)  # word similarity, raised by a shared contact and region
    reasons: list[str] = Field(default_factory=list)  # similar_text, same_region, same_contact, …
    channel: str | None = None  # where the earlier complaint entered


class ComplaintReceived(Payload):
    """A complaint was accepted by intake and given a tracking number."""

    tracking_number: NonEmpty
    channel: Channel
    channel_ref: NonEmpty  # the channel's native id: with `channel`, the idempotency key
    received_at: AwareDatetime
    title: NonEmpty
    body: NonEmpty
    language: str = "id"
    incident_date: date | None = None
    location: Location = Field(default_factory=Location)
    category_hint: str | None = None
    classification_hint: Classification | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    reporter: Reporter | None = None
    anonymous: bool = False
    confidential: bool = False
    entry: Entry
    thread: Thread | None = None
    # Optional (v1 stays frozen): earlier open complaints that look like the same problem.
    possible_duplicates: list[DuplicateLink] = Field(default_factory=list)


class ComplaintAssigned(Payload):
    """The router gave the case to an OPD (or to the triage queue)."""

    tracking_number: NonEmpty
    opd_code: OpdCode
    triage: bool = False
    not_competent: bool = False  # bukan wewenang: in triage, to be forwarded elsewhere
    rule_id: str | None = None
    ruleset_version: str
    priority: Priority = Priority.NORMAL
    deadline_class: Classification = Classification.PENGADUAN
    assigned_at: AwareDatetime


class ComplaintDispatched(Payload):
    """What an OPD's systems receive on `opd.<code>`: the assignment and the complaint, with the
    reporter block removed when the case is anonymous."""

    assignment: ComplaintAssigned
    complaint: ComplaintReceived


class ComplaintTriageStub(Payload):
    """What a triage desk's shared topic carries for a confidential (rahasia) case instead of a
    ComplaintDispatched: ids, category, region and flags, never the reporter, title or text.
    Coordinators read the whole case through the router's coordinator API (authorised)."""

    assignment: ComplaintAssigned
    channel: Channel
    received_at: AwareDatetime
    category_hint: str | None = None
    classification_hint: Classification | None = None
    region_code: RegionCode | None = None
    anonymous: bool = False
    confidential: bool = True


class FollowUpPosted(Payload):
    """An OPD answered the reporter."""

    opd_code: OpdCode
    text: NonEmpty
    kind: FollowUpKind
    author: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    posted_at: AwareDatetime


class ComplaintResolved(Payload):
    """The OPD declared the case finished."""

    opd_code: OpdCode
    resolution: NonEmpty
    resolved_at: AwareDatetime
    resolved_by: str | None = None


class CaseResolved(Payload):
    """The sla's record of a resolved case, as the publisher forwards it (no reporter identity)."""

    tracking_number: NonEmpty
    channel: Channel
    title: NonEmpty
    body: NonEmpty
    classification: Classification
    category: str | None = None
    opd_code: OpdCode
    region_code: RegionCode | None = None
    incident_date: date | None = None
    anonymous: bool
    confidential: bool
    received_at: AwareDatetime
    assigned_at: AwareDatetime | None = None
    first_follow_up_at: AwareDatetime | None = None
    resolved_at: AwareDatetime
    resolution: NonEmpty
    follow_ups: list[FollowUpPosted] = Field(default_factory=list)
    case_version: int = Field(ge=1, description="Bumped on every reopen; part of the publish key.")


class JudgedFollowUp(FollowUpPosted):
    """A follow-up in CaseResolved v2: as the OPD posted it (`kind` is the kind it declared)
    and, next to it, the sla's own judgement of it."""

    judged_kind: FollowUpKind = Field(description="The sla's verdict: a template or not.")
    judged_rule: str = Field(description="What decided it: template_code, template_phrases, ...")
    judged_reason: str = Field(description="Why, in words (no personal data).")


class CaseResolvedV2(CaseResolved):
    """CaseResolved v2: every follow-up carries the sla's judgement (required, so a version of
    its own; `kind` keeps the OPD's declared kind, as in v1). A v1 consumer's code works on it
    unchanged, since it is a CaseResolved."""

    follow_ups: list[JudgedFollowUp] = Field(default_factory=list)  # type: ignore[assignment]


class ReopenedBy(StrEnum):
    """Who reopened a resolved case."""

    REPORTER = "reporter"
    ADMIN = "admin"


class ComplaintReopened(Payload):
    """The reporter (or an admin) answered a resolution within the window: a new case version."""

    reopened_at: AwareDatetime
    by: ReopenedBy = ReopenedBy.REPORTER
    reason: str | None = None  # free text from the reporter: never copied to a public view


class CloseReason(StrEnum):
    """Why a case was closed."""

    AUTO_CLOSE = "auto_close"  # no reply within the window after the last answer
    ACCEPTED = "accepted"  # the reporter accepted the resolution
    ADMIN = "admin"


class ComplaintClosed(Payload):
    """The case is finished for good: the reporter's window passed or the reporter accepted."""

    closed_at: AwareDatetime
    reason: CloseReason
    case_version: int = Field(default=1, ge=1)


class SlaClock(StrEnum):
    """The sla's clocks (the sla's ClockName has the same values)."""

    VERIFICATION = "verification"
    FIRST_FOLLOW_UP = "first_follow_up"
    SUBSTANTIVE_REPLY = "substantive_reply"
    COMPLETION = "completion"
    TUNDA = "tunda"
    AUTO_CLOSE = "auto_close"


class SlaAlertLevel(StrEnum):
    """How far a clock has run."""

    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    ESCALATED = "escalated"  # to the Admin Koordinator


class SlaAlert(Payload):
    """A clock of a case reached a level; sent once per clock, level and clock start."""

    tracking_number: str | None = None
    clock: SlaClock
    level: SlaAlertLevel
    reached_at: AwareDatetime  # when the level was reached
    due_at: AwareDatetime  # the clock's due time
    clock_start: AwareDatetime
    limit_days: float = Field(gt=0)
    opd_code: OpdCode | None = None
    region_code: RegionCode | None = None
    classification: Classification | None = None
    case_version: int = Field(default=1, ge=1)


class ComplaintReassigned(Payload):
    """The case moved to another OPD: disposed from triage or reassigned by a coordinator, or
    rerouted by the rules after an OPD returned it."""

    tracking_number: str | None = None
    opd_code: OpdCode  # the OPD the case goes to
    previous_opd: OpdCode | None = None  # the OPD or triage desk it came from
    by: NonEmpty  # the coordinator's user name, or "router" for a reroute by the rules
    reason: str | None = None
    rule_id: str | None = None  # set on a reroute by the rules
    ruleset_version: str | None = None
    priority: Priority = Priority.NORMAL
    deadline_class: Classification = Classification.PENGADUAN
    reassigned_at: AwareDatetime


class ComplaintReturned(Payload):
    """An OPD (or a coordinator on its behalf) says the case is not its competence."""

    opd_code: OpdCode  # the OPD returning the case
    reason: NonEmpty
    returned_at: AwareDatetime
    by: str | None = None


class ComplaintPostponed(Payload):
    """Tunda: the case waits for data the reporter must still give."""

    missing: list[NonEmpty] = Field(min_length=1)
    note: str | None = None
    by: NonEmpty
    postponed_at: AwareDatetime


class ComplaintForwarded(Payload):
    """Bukan wewenang: the case belongs to an institution outside this government."""

    institution: NonEmpty
    reason: str | None = None
    by: NonEmpty
    forwarded_at: AwareDatetime


class ComplaintArchived(Payload):
    """Arsip: the case is closed without handling (spam, duplicate, not a complaint)."""

    reason: NonEmpty
    by: NonEmpty
    archived_at: AwareDatetime


class NoticeKind(StrEnum):
    """The moments a reporter is told about their case."""

    RECEIPT = "receipt"
    DISPOSITION = "disposition"
    FOLLOW_UP = "follow_up"
    RESOLUTION = "resolution"
    POSTPONEMENT = "postponement"


class ReporterNotice(Payload):
    """One message to a reporter, on `notify.<channel>` for that channel's connector to deliver.

    The envelope id is the message id, derived from the lifecycle event that caused it: a
    connector delivers each id once. `to` is the reporter's own contact (personal data: these
    topics are internal, never public); the text carries only the reporter's own tracking number.
    """

    kind: NoticeKind
    channel: NonEmpty  # the outbound channel: sms, whatsapp, email, social
    to: NonEmpty  # phone number, e-mail address or social handle
    tracking_number: NonEmpty
    text: NonEmpty
    subject: str | None = None  # e-mail only
    via: str | None = None  # where inside the channel: social platform, SMS gateway
    # The channel's native id to answer (the complaint e-mail's Message-ID, the post id).
    reply_to: str | None = None
    references: list[str] = Field(default_factory=list)
