"""The e-mail channel: the raw RFC 822 message, wrapped in JSON by the mail connector.

JSON rather than a `message/rfc822` body, so the e-mail route shares the API key, size limit,
422 reasons and OpenAPI schema of every other channel; an MTA pipe wraps a message with
`jq -Rs '{raw: .}'` (or base64 for 8-bit messages).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Annotated, Self
from urllib.parse import quote

from pydantic import Field, PrivateAttr, StringConstraints, model_validator

from services.intake.adapters.base import Adapter, Citation, Receipt
from services.intake.adapters.common import Email, Hints, location, reporter, title_from
from services.intake.contact import normalise_email
from services.intake.rfc822 import MailAttachment, ParsedMail, UnreadableMessage, parse_message
from services.intake.rfc822 import sent_at as date_header
from services.intake.tracking import tracking_numbers_in
from shared.events import Attachment, Channel, ComplaintReceived, Entry, Thread

RawText = Annotated[str, StringConstraints(min_length=1)]
REPLY_TAG = "email:reply"
# notify's Message-IDs: `aduan.<message id>.<complaint id>@<domain>` (services/notify/mail.py).
_OUR_MESSAGE_ID = re.compile(r"^aduan\.[0-9A-HJKMNP-TV-Z]{26}\.([0-9A-HJKMNP-TV-Z]{26})@")
_NO_TEXT = "(e-mail tanpa isi teks; lihat lampiran)"


class EmailMessageIn(Hints):
    """The body of `POST /v1/channels/email/complaints`: exactly one of `raw`, `raw_base64`."""

    raw: RawText | None = Field(default=None, description="The RFC 822 message as text")
    raw_base64: RawText | None = Field(default=None, description="The message, base64 encoded")
    mailbox: Email | None = Field(default=None, description="The address that received it")
    _mail: ParsedMail | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _parse(self) -> Self:
        if (self.raw is None) == (self.raw_base64 is None):
            raise ValueError("give exactly one of raw and raw_base64")
        data = self._bytes()
        mail = parse_message(data)  # UnreadableMessage is a ValueError: a 422 with the reason
        self._mail = mail if mail.message_id else _with_digest_id(mail, data)
        return self

    def _bytes(self) -> bytes:
        if self.raw is not None:
            return self.raw.encode("utf-8", "surrogateescape")
        try:
            return base64.b64decode(self.raw_base64 or "", validate=True)
        except binascii.Error as exc:
            raise ValueError("raw_base64 is not valid base64") from exc

    @property
    def mail(self) -> ParsedMail:
        """The parsed message (set by validation)."""
        if self._mail is None:
            raise UnreadableMessage("the message was not validated")
        return self._mail


def _with_digest_id(mail: ParsedMail, data: bytes) -> ParsedMail:
    """A message without Message-ID is known by its content: a redelivery is still one case."""
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    return ParsedMail(**{**mail.__dict__, "message_id": digest})


def to_payload(message: EmailMessageIn, receipt: Receipt) -> ComplaintReceived:
    """Map a parsed message: the subject as title, the sender as reporter, thread ids kept."""
    mail = message.mail
    body = mail.text or _NO_TEXT
    return ComplaintReceived(
        tracking_number=receipt.tracking_number,
        channel=Channel.EMAIL,
        channel_ref=mail.message_id or "",
        received_at=receipt.received_at,
        title=(mail.subject or title_from(body))[:300],
        body=body,
        location=location(message.location),
        category_hint=message.category or None,
        classification_hint=message.classification,
        attachments=[_attachment(mail, a) for a in mail.attachments],
        tags=list(dict.fromkeys([*message.tags, *([REPLY_TAG] if _thread(mail) else [])])),
        reporter=reporter(None, name=mail.sender_name, email=_address(mail.sender_address)),
        anonymous=message.anonymous,
        confidential=message.confidential,
        entry=Entry(
            connector_id=receipt.connector_id,
            source=message.mailbox,
            sent_at=date_header(mail.sent_at_header),
        ),
        thread=_thread(mail),
    )


def _address(address: str | None) -> str | None:
    """A malformed sender stays out of the reporter block rather than refusing the complaint."""
    try:
        return normalise_email(address) if address else None
    except ValueError:
        return None


def _attachment(mail: ParsedMail, part: MailAttachment) -> Attachment:
    """Reference a part by RFC 2392 `mid:` URL: message id, then content id or position."""
    within = part.content_id or f"part-{part.index}"
    return Attachment(
        url=f"mid:{quote(mail.message_id or '', safe='@.')}/{quote(within, safe='@.-')}",
        media_type=part.content_type,
        name=part.filename,
        size=part.size,
        sha256=part.sha256,
    )


def _thread(mail: ParsedMail) -> Thread | None:
    if not (mail.in_reply_to or mail.references):
        return None
    return Thread(reply_to=mail.in_reply_to, references=mail.references)


def cites(message: EmailMessageIn) -> Citation | None:
    """What a message answers: a case named by one of our Message-IDs it replies to, or a
    tracking number in its subject; None when it cites neither (a new complaint)."""
    mail = message.mail
    ids = [mail.in_reply_to or "", *mail.references]
    cases = tuple(dict.fromkeys(m.group(1) for i in ids if (m := _OUR_MESSAGE_ID.match(i))))
    numbers = tuple(tracking_numbers_in(mail.subject))
    if not (cases or numbers):
        return None
    return Citation(cases, numbers, _address(mail.sender_address), mail.text)


ADAPTER: Adapter[EmailMessageIn] = Adapter(
    channel=Channel.EMAIL,
    model=EmailMessageIn,
    channel_ref=lambda message: message.mail.message_id or "",
    to_payload=to_payload,
    cites=cites,
)
