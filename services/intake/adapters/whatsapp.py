"""The WhatsApp channel: one message as the WhatsApp Business Cloud API's webhook gives it
(`value.contacts[0]` as `contact`, `value.messages[0]` as `message`), forwarded by the connector."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal, Self

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    Field,
    HttpUrl,
    StrictBool,
    WithJsonSchema,
    model_validator,
)

from services.intake.adapters.base import Adapter, Receipt
from services.intake.adapters.common import (
    Body,
    Hints,
    Lat,
    Lon,
    LongText,
    MobilePhone,
    Ref,
    Short,
    location,
    reporter,
    title_from,
)
from shared.events import Attachment, Channel, ComplaintReceived, Entry, Location, Thread

VOICE_NOTE = "(pesan suara WhatsApp, belum ditranskripsi)"
_MEDIA_KINDS = ("image", "audio", "video", "document", "sticker")


def _epoch(value: object) -> object:
    """The Cloud API sends seconds since the epoch as a string: read them as UTC."""
    if isinstance(value, str) and value.isdigit() and len(value) <= 12:
        return datetime.fromtimestamp(int(value), UTC)
    if isinstance(value, int | float):
        raise ValueError("timestamp is text: epoch seconds or RFC 3339")
    return value


Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_epoch),
    WithJsonSchema({"type": "string", "description": "epoch seconds as text, or RFC 3339"}),
]


class WaProfile(Body):
    """The sender's WhatsApp profile."""

    name: Short | None = None


class WaContact(Body):
    """Who sent it: `wa_id` is the phone number in international digits."""

    wa_id: MobilePhone
    profile: WaProfile | None = None


class WaText(Body):
    """A text message's content."""

    body: LongText


class WaMedia(Body):
    """A media reference: the Cloud API's media id, or the URL where the connector stored it."""

    id: Ref
    mime_type: Short | None = None
    sha256: Short | None = None
    caption: LongText | None = None
    filename: Short | None = None
    voice: StrictBool = False
    url: HttpUrl | None = None


class WaLocation(Body):
    """A shared location pin."""

    latitude: Lat
    longitude: Lon
    name: Short | None = None
    address: Short | None = None


class WaContext(Body):
    """The message this one replies to."""

    id: Ref


class WaMessage(Body):
    """One entry of the webhook's `messages`."""

    id: Ref = Field(description="The wamid: the idempotency key")
    timestamp: Timestamp
    type: Literal["text", "image", "audio", "video", "document", "sticker", "location"]
    text: WaText | None = None
    image: WaMedia | None = None
    audio: WaMedia | None = None
    video: WaMedia | None = None
    document: WaMedia | None = None
    sticker: WaMedia | None = None
    location: WaLocation | None = None
    context: WaContext | None = None

    @model_validator(mode="after")
    def _content_matches_type(self) -> Self:
        if getattr(self, self.type) is None:
            raise ValueError(f"a message of type {self.type} needs its '{self.type}' object")
        return self

    def media(self) -> WaMedia | None:
        """The message's media, if it has any."""
        found = getattr(self, self.type) if self.type in _MEDIA_KINDS else None
        return found if isinstance(found, WaMedia) else None


class WhatsAppMessage(Hints):
    """The body of `POST /v1/channels/whatsapp/complaints`."""

    contact: WaContact
    message: WaMessage


def to_payload(wa: WhatsAppMessage, receipt: Receipt) -> ComplaintReceived:
    """Map a message: its text (or caption, or a voice-note note) is the body."""
    body = _text(wa.message)
    media = wa.message.media()
    return ComplaintReceived(
        tracking_number=receipt.tracking_number,
        channel=Channel.WHATSAPP,
        channel_ref=wa.message.id,
        received_at=receipt.received_at,
        title=title_from(body),
        body=body,
        location=_location(wa),
        category_hint=wa.category or None,
        classification_hint=wa.classification,
        attachments=[_attachment(media)] if media else [],
        tags=list(dict.fromkeys([*wa.tags, *(["voice-note"] if media and media.voice else [])])),
        reporter=reporter(wa.contact.profile, phone=wa.contact.wa_id),
        anonymous=wa.anonymous,
        confidential=wa.confidential,
        entry=Entry(connector_id=receipt.connector_id, sent_at=wa.message.timestamp),
        thread=Thread(reply_to=wa.message.context.id) if wa.message.context else None,
    )


def _text(message: WaMessage) -> str:
    media = message.media()
    if message.text:
        return message.text.body
    if media and media.caption:
        return media.caption
    if message.location:
        pin = message.location
        return " ".join(p for p in ("Lokasi:", pin.name, pin.address) if p) or "Lokasi"
    return VOICE_NOTE if media and media.voice else f"(pesan WhatsApp: {message.type})"


def _location(wa: WhatsAppMessage) -> Location:
    pin = wa.message.location
    if pin is None:
        return location(wa.location)
    text = ", ".join(p for p in (pin.name, pin.address) if p) or None
    region = wa.location.region_code if wa.location else None
    return Location(text=text, lat=pin.latitude, lon=pin.longitude, region_code=region)


def _attachment(media: WaMedia) -> Attachment:
    """The connector's stored copy when it has one, else the Cloud API media id as a URN."""
    sha = media.sha256 if media.sha256 and len(media.sha256) == 64 else None
    return Attachment(
        url=str(media.url) if media.url else f"urn:whatsapp:media:{media.id}",
        media_type=media.mime_type,
        name=media.filename or ("pesan-suara" if media.voice else None),
        sha256=sha.lower() if sha and all(c in "0123456789abcdefABCDEF" for c in sha) else None,
    )


ADAPTER: Adapter[WhatsAppMessage] = Adapter(
    channel=Channel.WHATSAPP,
    model=WhatsAppMessage,
    channel_ref=lambda wa: wa.message.id,
    to_payload=to_payload,
)
