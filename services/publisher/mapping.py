"""CaseResolved → LAPOR! request bodies. Pure: the field mapping is configuration, no clients.

LAPOR! has no public API documentation; ids of classifications, categories, dispositions
(institutions) and locations come from its master lists, so every table here is configurable.
Nothing that identifies the reporter is sent: CaseResolved carries no reporter block.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone

from pydantic import BaseModel, ConfigDict, Field

from services.publisher.redaction import Kind, spans
from shared.events import CaseResolved, Classification
from shared.events.payloads import Attachment


class MappingError(ValueError):
    """The case cannot be expressed in LAPOR!'s terms (e.g. an OPD with no disposition id)."""


class LaporMapping(BaseModel):
    """Our vocabulary → LAPOR!'s master-list ids. Defaults are placeholders for the local
    contract server; production values come from LAPOR!'s master lists."""

    classification_ids: dict[Classification, int] = Field(
        default_factory=lambda: {
            Classification.ASPIRASI: 1,
            Classification.PENGADUAN: 2,
            Classification.PENGADUAN_PENGAWASAN: 3,
            Classification.PERMINTAAN_INFORMASI: 4,
        }
    )
    disposition_ids: dict[str, int] = Field(
        default_factory=lambda: {
            "dinkes": 101,
            "dishub": 102,
            "dpupr": 103,
            "disdik": 104,
            "dlh": 105,
            "dispendukcapil": 106,
        },
        description="OPD code → LAPOR! institution (disposition) id.",
    )
    default_disposition_id: int | None = Field(
        None, description="Used for OPDs not in disposition_ids; None makes them an error."
    )
    category_ids: dict[str, int] = Field(default_factory=dict)
    default_category_id: int = 1  # LAPOR!'s "lainnya" (other) in its master list
    location_ids: dict[str, int] = Field(
        default_factory=dict, description="BPS region code → LAPOR! location id."
    )
    channels: dict[str, str] = Field(
        default_factory=dict, description="Our channel → LAPOR!'s channel name; else ours."
    )
    utc_offset_hours: int = Field(7, description="Region time zone for dates (WIB = 7).")
    follow_up_template_code: str | None = None


class LaporComplaint(BaseModel):
    """The create-complaint body LAPOR! takes (wire model)."""

    model_config = ConfigDict(frozen=True)

    title: str
    content: str
    date_of_incident: date
    channel: str
    classification_id: int
    disposition_id: int
    category_id: int
    location_id: int | None
    is_anonymous: bool
    is_secret: bool
    attachments: list[str]
    external_id: str


class LaporFollowUp(BaseModel):
    """The follow-up (tindak lanjut) body LAPOR! takes: here, the OPD's resolution."""

    model_config = ConfigDict(frozen=True)

    content: str
    template_code: str | None
    is_secret: bool
    attachments: list[str] = Field(default_factory=list)  # LAPOR! file ids, uploaded first
    external_ref: str | None = None  # ours, so a read-back tells which follow-ups arrived


class PlannedFollowUp(BaseModel):
    """One follow-up to post, with the attachment references to upload before it."""

    model_config = ConfigDict(frozen=True)

    body: LaporFollowUp
    attachments: list[Attachment] = Field(default_factory=list)


# Never in LAPOR! content: resident numbers (PP 37/2007). An anonymous case loses every kind of
# identity too, since anonim means nobody outside intake learns who reported.
_ALWAYS = frozenset({Kind.NIK, Kind.KK})


def lapor_text(text: str, *, anonymous: bool) -> str:
    """Return `text` as LAPOR! may hold it: NIK and KK always out, all identity if anonymous."""
    found = [s for s in spans(text) if anonymous or s.kind in _ALWAYS]
    for span in reversed(found):  # right to left, so earlier offsets stay valid
        text = text[: span.start] + span.kind.placeholder + text[span.end :]
    return text


def external_id(complaint_id: str, case_version: int) -> str:
    """Return our reference for one publication, sent so duplicates can be recognised later."""
    return f"{complaint_id}:{case_version}"


def to_lapor_complaint(case: CaseResolved, complaint_id: str, m: LaporMapping) -> LaporComplaint:
    """Map a resolved case to LAPOR!'s create-complaint body."""
    return LaporComplaint(
        title=lapor_text(case.title, anonymous=case.anonymous),
        content=lapor_text(case.body, anonymous=case.anonymous),
        date_of_incident=incident_date(case, m.utc_offset_hours),
        channel=m.channels.get(case.channel.value, case.channel.value),
        classification_id=_classification_id(case, m),
        disposition_id=disposition_id(case.opd_code, m),
        category_id=m.category_ids.get(case.category or "", m.default_category_id),
        location_id=m.location_ids.get(case.region_code or ""),
        is_anonymous=case.anonymous,
        is_secret=case.confidential,
        attachments=[],  # files need LAPOR!'s upload call first: not in this walking skeleton
        external_id=external_id(complaint_id, case.case_version),
    )


def to_lapor_follow_up(case: CaseResolved, m: LaporMapping) -> LaporFollowUp:
    """Map the case's resolution to a LAPOR! follow-up; secret when the case is confidential."""
    return LaporFollowUp(
        content=lapor_text(case.resolution, anonymous=case.anonymous),
        template_code=m.follow_up_template_code,
        is_secret=case.confidential,
    )


def follow_up_plan(case: CaseResolved, external: str, m: LaporMapping) -> list[PlannedFollowUp]:
    """Return the OPD's follow-ups in order, then the resolution, each with our reference."""
    plan = [
        PlannedFollowUp(
            body=LaporFollowUp(
                content=lapor_text(f.text, anonymous=case.anonymous),
                template_code=m.follow_up_template_code if f.kind == "normative" else None,
                is_secret=case.confidential,
                external_ref=f"{external}:tl{i}",
            ),
            attachments=list(f.attachments),
        )
        for i, f in enumerate(case.follow_ups, start=1)
    ]
    resolution = to_lapor_follow_up(case, m).model_copy(
        update={"external_ref": f"{external}:selesai"}
    )
    return [*plan, PlannedFollowUp(body=resolution)]


def incident_date(case: CaseResolved, utc_offset_hours: int) -> date:
    """Return the incident date, else the local date the complaint was received."""
    if case.incident_date is not None:
        return case.incident_date
    return case.received_at.astimezone(timezone(timedelta(hours=utc_offset_hours))).date()


def disposition_id(opd_code: str, m: LaporMapping) -> int:
    """Return the LAPOR! institution id of an OPD, or raise MappingError."""
    found = m.disposition_ids.get(opd_code, m.default_disposition_id)
    if found is None:
        raise MappingError(f"no LAPOR! disposition id for OPD {opd_code!r}")
    return found


def _classification_id(case: CaseResolved, m: LaporMapping) -> int:
    try:
        return m.classification_ids[case.classification]
    except KeyError:
        raise MappingError(f"no LAPOR! classification id for {case.classification}") from None
