"""The web form channel: what a web-form connector posts, and its ComplaintReceived."""

from __future__ import annotations

from pydantic import Field

from services.intake.adapters.base import Adapter, Receipt
from services.intake.adapters.common import (
    AttachmentIn,
    Day,
    Hints,
    LongText,
    Ref,
    ReporterIn,
    Text,
    attachments,
    location,
    reporter,
    unique_tags,
)
from shared.events import Channel, ComplaintReceived, Entry


class WebComplaint(Hints):
    """The body of `POST /v1/channels/web/complaints`."""

    form_id: Ref = Field(
        description="The form's submission id: the same id twice is one complaint."
    )
    title: Text
    body: LongText
    incident_date: Day | None = None
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=20)
    reporter: ReporterIn | None = None


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
        location=location(form.location),
        category_hint=form.category or None,
        classification_hint=form.classification,
        attachments=attachments(form.attachments),
        tags=unique_tags(form.tags),
        reporter=reporter(form.reporter),
        anonymous=form.anonymous,
        confidential=form.confidential,
        entry=Entry(connector_id=receipt.connector_id),
    )


ADAPTER: Adapter[WebComplaint] = Adapter(
    channel=Channel.WEB,
    model=WebComplaint,
    channel_ref=lambda form: form.form_id,
    to_payload=to_payload,
)
