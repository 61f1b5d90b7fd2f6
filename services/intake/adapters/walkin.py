"""The walk-in and phone desk channel: the form an officer fills for a citizen at the desk
(tatap muka) or on the desk's phone."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, WithJsonSchema

from services.intake.adapters.base import Adapter, Receipt
from services.intake.adapters.common import (
    AttachmentIn,
    Day,
    Email,
    Hints,
    LongText,
    Moment,
    Nik,
    Ref,
    Short,
    Text,
    attachments,
    location,
    reporter,
    unique_tags,
)
from services.intake.adapters.common import Body as _Body
from services.intake.contact import normalise_line
from shared.events import Channel, ComplaintReceived, Entry

AnyLine = Annotated[
    str,
    AfterValidator(normalise_line),
    WithJsonSchema({"type": "string", "description": "mobile or landline; stored as E.164"}),
]


class Citizen(_Body):
    """Who came or called, as the officer wrote it down; a landline is fine here."""

    name: Short | None = None
    nik: Nik | None = None
    phone: AnyLine | None = None
    email: Email | None = None
    address: Annotated[str, Field(max_length=500)] | None = None


class DeskForm(Hints):
    """The body of `POST /v1/channels/walkin/complaints`."""

    form_id: Ref = Field(description="The desk's form number: the idempotency key")
    officer_id: Ref
    mode: Literal["walk-in", "phone"] = "walk-in"
    desk: Short | None = Field(default=None, description="Which desk, e.g. MPP Surabaya")
    met_at: Moment | None = Field(default=None, description="When the citizen came")
    title: Text
    body: LongText
    incident_date: Day | None = None
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)
    citizen: Citizen | None = None


def to_payload(form: DeskForm, receipt: Receipt) -> ComplaintReceived:
    """Map a desk form: the officer who wrote it is recorded with the entry."""
    return ComplaintReceived(
        tracking_number=receipt.tracking_number,
        channel=Channel.WALKIN,
        channel_ref=form.form_id,
        received_at=receipt.received_at,
        title=form.title,
        body=form.body,
        incident_date=form.incident_date,
        location=location(form.location),
        category_hint=form.category or None,
        classification_hint=form.classification,
        attachments=attachments(form.attachments),
        tags=unique_tags(form.tags, [f"desk:{form.mode}"]),
        reporter=reporter(form.citizen),
        anonymous=form.anonymous,
        confidential=form.confidential,
        entry=Entry(
            connector_id=receipt.connector_id,
            officer_id=form.officer_id,
            source=form.desk,
            sent_at=form.met_at,
        ),
    )


ADAPTER: Adapter[DeskForm] = Adapter(
    channel=Channel.WALKIN,
    model=DeskForm,
    channel_ref=lambda form: form.form_id,
    to_payload=to_payload,
)
