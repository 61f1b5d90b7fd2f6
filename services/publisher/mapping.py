"""CaseResolved → LAPOR! request bodies. Pure: the field mapping is configuration, no clients.

LAPOR! has no public API documentation; ids of classifications, categories, dispositions
(institutions) and locations come from its master lists, so every table here is configurable.
Nothing that identifies the reporter is sent: CaseResolved carries no reporter block.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone

from pydantic import BaseModel, ConfigDict, Field

from shared.events import CaseResolved, Classification


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


def external_id(complaint_id: str, case_version: int) -> str:
    """Return our reference for one publication, sent so duplicates can be recognised later."""
    return f"{complaint_id}:{case_version}"


def to_lapor_complaint(case: CaseResolved, complaint_id: str, m: LaporMapping) -> LaporComplaint:
    """Map a resolved case to LAPOR!'s create-complaint body."""
    return LaporComplaint(
        title=case.title,
        content=case.body,
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
        content=case.resolution,
        template_code=m.follow_up_template_code,
        is_secret=case.confidential,
    )


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
