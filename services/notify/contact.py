"""Whom to tell, and where: the reporter's contact on the channel they used. Pure.

A complaint carries the reporter block only on `complaints.received`; the later events name the
case alone, so the notifier keeps each complaint's `Contact` (repository.py) from its receipt.
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict

from shared.events import Channel, ComplaintReceived, Reporter

SMS, WHATSAPP, EMAIL, SOCIAL = "sms", "whatsapp", "email", "social"
# The outbound channels to try, in order, for each channel a complaint came in by: its own
# channel first, then what the reporter may also have left. A call or a desk visit is answered
# by SMS to the number given; a form by e-mail.
PREFERENCES: Final[dict[Channel, tuple[str, ...]]] = {
    Channel.SMS: (SMS, EMAIL),
    Channel.WHATSAPP: (WHATSAPP, SMS, EMAIL),
    Channel.EMAIL: (EMAIL, SMS),
    Channel.SOCIAL: (SOCIAL, EMAIL, SMS),
    Channel.CALLCENTER: (SMS, EMAIL),
    Channel.WALKIN: (SMS, EMAIL),
    Channel.WEB: (EMAIL, SMS),
    Channel.OPEN311: (EMAIL, SMS),
    Channel.IMPORT: (SMS, EMAIL),
}


class Contact(BaseModel):
    """How to reach one complaint's reporter; `channel` None: nobody to tell (an anonymous
    reporter without contact, or no usable address)."""

    model_config = ConfigDict(frozen=True)

    complaint_id: str
    tracking_number: str
    channel: str | None = None
    to: str | None = None
    via: str | None = None  # social platform or SMS gateway, when answering on the same one
    reply_to: str | None = None  # the native id to answer: the e-mail's Message-ID, the post id


def contact_of(complaint_id: str, complaint: ComplaintReceived) -> Contact:
    """Choose the channel and address to answer `complaint` on."""
    nobody = Contact(complaint_id=complaint_id, tracking_number=complaint.tracking_number)
    reporter = complaint.reporter
    if reporter is None:
        return nobody
    for channel in PREFERENCES.get(complaint.channel, (EMAIL, SMS)):
        to = _address(reporter, channel)
        if to is None or (channel == SOCIAL and _private(complaint)):
            continue
        same = channel == complaint.channel.value
        return nobody.model_copy(
            update={
                "channel": channel,
                "to": to,
                "via": complaint.entry.source if same else None,
                "reply_to": complaint.channel_ref if same and channel != SMS else None,
            }
        )
    return nobody


def _address(reporter: Reporter, channel: str) -> str | None:
    if channel in (SMS, WHATSAPP):
        return reporter.phone or None
    if channel == EMAIL:
        return reporter.email or None
    return reporter.handle or None


def _private(complaint: ComplaintReceived) -> bool:
    """A social-media reply is public: never for an anonymous or confidential case."""
    return complaint.anonymous or complaint.confidential
