"""The call-center channel (112 lines included): a call record as the telephony system exports it."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, Field, HttpUrl, WithJsonSchema, model_validator

from services.intake.adapters.base import Adapter, Receipt
from services.intake.adapters.common import (
    Body,
    Day,
    Hints,
    LongText,
    Moment,
    Ref,
    ReporterIn,
    Short,
    Size,
    Text,
    location,
    reporter,
    title_from,
    unique_tags,
)
from services.intake.contact import normalise_line
from shared.events import Attachment, Channel, ComplaintReceived, Entry

CallerNumber = Annotated[
    str,
    AfterValidator(normalise_line),
    WithJsonSchema({"type": "string", "description": "mobile or landline; stored as E.164"}),
]
_TRANSCRIPT_HEADING = "--- Transkrip ---"


class Recording(Body):
    """Where the telephony system keeps the call's audio."""

    url: HttpUrl
    media_type: Short | None = "audio/wav"
    size: Size | None = None


class CallRecord(Hints):
    """The body of `POST /v1/channels/callcenter/complaints`: one handled call."""

    call_id: Ref = Field(description="The telephony system's call id: the idempotency key.")
    line: Short | None = Field(default=None, description="The number called, e.g. 112")
    caller_number: CallerNumber | None = Field(default=None, description="Absent when withheld")
    agent_id: Ref
    started_at: Moment
    ended_at: Moment | None = None
    title: Text | None = None
    summary: LongText | None = Field(default=None, description="The agent's summary")
    transcript: LongText | None = None
    recording: Recording | None = None
    incident_date: Day | None = None
    caller: ReporterIn | None = Field(default=None, description="What the caller told about self")

    @model_validator(mode="after")
    def _has_text_and_order(self) -> Self:
        if not (self.summary or self.transcript):
            raise ValueError("a call needs a summary or a transcript")
        if self.ended_at and self.ended_at < self.started_at:
            raise ValueError("ended_at is before started_at")
        return self


def to_payload(call: CallRecord, receipt: Receipt) -> ComplaintReceived:
    """Map a call record: summary first, the transcript after it, the agent as the officer."""
    body = _body(call)
    return ComplaintReceived(
        tracking_number=receipt.tracking_number,
        channel=Channel.CALLCENTER,
        channel_ref=call.call_id,
        received_at=receipt.received_at,
        title=call.title or title_from(body),
        body=body,
        incident_date=call.incident_date or call.started_at.date(),
        location=location(call.location),
        category_hint=call.category or None,
        classification_hint=call.classification,
        attachments=[_recording(call.recording)] if call.recording else [],
        tags=unique_tags(call.tags, [f"line:{call.line}"] if call.line else []),
        reporter=reporter(call.caller, phone=_phone(call)),
        anonymous=call.anonymous,
        confidential=call.confidential,
        entry=_entry(call, receipt),
    )


def _body(call: CallRecord) -> str:
    parts = [call.summary] if call.summary else []
    if call.transcript:
        parts += [_TRANSCRIPT_HEADING, call.transcript] if call.summary else [call.transcript]
    return "\n\n".join(parts)


def _phone(call: CallRecord) -> str | None:
    """The number the caller gave wins over the one the line saw (it may be a shared phone)."""
    given = call.caller.phone if call.caller else None
    return given or call.caller_number


def _recording(recording: Recording) -> Attachment:
    return Attachment(
        url=str(recording.url),
        media_type=recording.media_type,
        name="rekaman-panggilan",
        size=recording.size,
    )


def _entry(call: CallRecord, receipt: Receipt) -> Entry:
    return Entry(
        connector_id=receipt.connector_id,
        officer_id=call.agent_id,
        source=call.line,
        sent_at=call.started_at,
        ended_at=call.ended_at,
    )


ADAPTER: Adapter[CallRecord] = Adapter(
    channel=Channel.CALLCENTER,
    model=CallRecord,
    channel_ref=lambda call: call.call_id,
    to_payload=to_payload,
)
