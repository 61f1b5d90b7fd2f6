"""The SMS channel, as 1708-style gateways deliver it: one message, or one part of a long one."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import Field, StringConstraints, model_validator

from services.intake.adapters.base import Adapter, Receipt
from services.intake.adapters.common import (
    Body,
    Hints,
    MobilePhone,
    Moment,
    Ref,
    location,
    reporter,
    title_from,
)
from services.intake.sms_concat import SmsPart, group_key, join
from shared.events import Channel, ComplaintReceived, Entry

# Never trimmed: a part may end or start with the space between two words.
SmsText = Annotated[str, StringConstraints(min_length=1, max_length=1600)]


class SmsConcat(Body):
    """The concatenation header (UDH) of one part of a long message."""

    ref: int = Field(
        strict=True, ge=0, le=65535, description="The UDH reference shared by the parts"
    )
    part: int = Field(strict=True, ge=1, le=255)
    total: int = Field(strict=True, ge=2, le=255)

    @model_validator(mode="after")
    def _part_within_total(self) -> Self:
        if self.part > self.total:
            raise ValueError("part is beyond total")
        return self


class SmsMessage(Hints):
    """The body of `POST /v1/channels/sms/complaints`."""

    message_id: Ref = Field(description="The gateway's id of this message (or part)")
    gateway_id: Ref
    msisdn: MobilePhone
    text: SmsText
    received_at: Moment
    concat: SmsConcat | None = None

    @model_validator(mode="after")
    def _has_words(self) -> Self:
        if not self.text.strip():
            raise ValueError("text is blank")
        return self


def to_payload(sms: SmsMessage, receipt: Receipt) -> ComplaintReceived:
    """Map a whole SMS (joined by the part store when it came in parts)."""
    text = sms.text.strip()
    return ComplaintReceived(
        tracking_number=receipt.tracking_number,
        channel=Channel.SMS,
        channel_ref=sms.message_id,
        received_at=receipt.received_at,
        title=title_from(text),
        body=text,
        location=location(sms.location),
        category_hint=sms.category or None,
        classification_hint=sms.classification,
        tags=list(dict.fromkeys(sms.tags)),
        reporter=reporter(None, phone=sms.msisdn),
        anonymous=sms.anonymous,
        confidential=sms.confidential,
        entry=Entry(
            connector_id=receipt.connector_id, source=sms.gateway_id, sent_at=sms.received_at
        ),
    )


def gather(sms: SmsMessage, connector_id: str, state: Any) -> SmsMessage | None:
    """Hold a part in the part store; return the whole message once its last part arrived."""
    if sms.concat is None:
        return sms
    head = sms.concat
    key = group_key(connector_id, sms.gateway_id, sms.msisdn, head.ref, head.total)
    part = SmsPart(head.part, head.total, sms.message_id, sms.text, sms.received_at)
    parts = state.sms_parts.add(key, part)
    if parts is None:
        return None
    whole = join(parts)
    update = {"message_id": whole.message_id, "text": whole.text, "received_at": whole.received_at}
    return sms.model_copy(update=update | {"concat": None})


ADAPTER: Adapter[SmsMessage] = Adapter(
    channel=Channel.SMS,
    model=SmsMessage,
    channel_ref=lambda sms: sms.message_id,
    to_payload=to_payload,
    gather=gather,
)
