"""The web form channel: what a web-form connector posts, and its ComplaintReceived."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, StringConstraints

from services.intake.adapters.base import Adapter, Receipt
from services.intake.contact import normalise_email, normalise_nik, normalise_phone
from shared.events import (
    Attachment,
    Channel,
    Classification,
    ComplaintReceived,
    Entry,
    Location,
    Reporter,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50_000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class _Body(BaseModel):
    # Unknown fields are ignored so a connector may send more than we read.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class WebLocation(_Body):
    """Where it happened, as the form asks for it."""

    text: Annotated[str, StringConstraints(max_length=500)] | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    region_code: Annotated[str, StringConstraints(pattern=r"^\d{2}(\.?\d{2})?$")] | None = Field(
        default=None, description="BPS province or kabupaten/kota code, e.g. 35.78"
    )


class WebAttachment(_Body):
    """A file the form already stored; we keep only the reference."""

    url: HttpUrl
    media_type: Annotated[str, StringConstraints(max_length=100)] | None = None
    name: Annotated[str, StringConstraints(max_length=255)] | None = None


class WebReporter(_Body):
    """Who reported; every field optional, each checked and normalised when given."""

    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    nik: Annotated[str, AfterValidator(normalise_nik)] | None = None
    phone: Annotated[str, AfterValidator(normalise_phone)] | None = None
    email: Annotated[str, AfterValidator(normalise_email)] | None = None
    address: Annotated[str, StringConstraints(max_length=500)] | None = None


class WebComplaint(_Body):
    """The body of `POST /v1/channels/web/complaints`."""

    form_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="The form's submission id: the same id twice is one complaint."
    )
    title: Text
    body: LongText
    incident_date: date | None = None
    location: WebLocation | None = None
    category: Annotated[str, StringConstraints(max_length=100)] | None = None
    classification: Classification | None = None
    attachments: list[WebAttachment] = Field(default_factory=list, max_length=20)
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    anonymous: bool = False
    confidential: bool = False
    reporter: WebReporter | None = None


def to_payload(form: WebComplaint, receipt: Receipt) -> ComplaintReceived:
    """Map a web-form submission to the ComplaintReceived payload.

    An anonymous case keeps its reporter here: router and sla must know someone can be
    contacted; the router strips the block before anything reaches an OPD.
    """
    return ComplaintReceived(
        tracking_number=receipt.tracking_number,
        channel=Channel.WEB,
        channel_ref=form.form_id,
        received_at=receipt.received_at,
        title=form.title,
        body=form.body,
        incident_date=form.incident_date,
        location=Location(**form.location.model_dump()) if form.location else Location(),
        category_hint=form.category or None,
        classification_hint=form.classification,
        attachments=[
            Attachment(url=str(a.url), media_type=a.media_type, name=a.name)
            for a in form.attachments
        ],
        tags=list(dict.fromkeys(form.tags)),  # drop repeats, keep order
        reporter=_reporter(form.reporter),
        anonymous=form.anonymous,
        confidential=form.confidential,
        entry=Entry(connector_id=receipt.connector_id),
    )


def _reporter(reporter: WebReporter | None) -> Reporter | None:
    """An empty reporter block means nobody to contact: send none at all."""
    if reporter is None:
        return None
    fields = {k: v for k, v in reporter.model_dump().items() if v}
    return Reporter(**fields) if fields else None


ADAPTER: Adapter[WebComplaint] = Adapter(
    channel=Channel.WEB,
    model=WebComplaint,
    channel_ref=lambda form: form.form_id,
    to_payload=to_payload,
)
