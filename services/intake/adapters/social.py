"""The social-media channel: a post, comment or mention picked up from X, Instagram, Facebook,
TikTok or YouTube by the social connector (or by an admin's crawl)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import Field, HttpUrl, StringConstraints

from services.intake.adapters.base import Adapter, Receipt
from services.intake.adapters.common import (
    AttachmentIn,
    Hints,
    LongText,
    Moment,
    Ref,
    Short,
    attachments,
    location,
    reporter,
    title_from,
    unique_tags,
)
from shared.events import Channel, ComplaintReceived, Entry, Thread

Handle = Annotated[str, StringConstraints(max_length=100, pattern=r"^@?[^@\s]+$")]
# Hashtags are how people file a post under a topic (#jalanrusak): keep them as tags.
_HASHTAG = re.compile(r"#(\w{2,50})")


class Platform(StrEnum):
    """The platforms the social connector reads."""

    X = "x"
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"


class SocialPost(Hints):
    """The body of `POST /v1/channels/social/complaints`."""

    platform: Platform
    post_id: Ref = Field(description="The post's or comment's id on its platform")
    author_handle: Handle
    author_name: Short | None = None
    text: LongText
    url: HttpUrl | None = None
    posted_at: Moment
    reply_to_id: Ref | None = Field(default=None, description="The post this one answers")
    media: list[AttachmentIn] = Field(default_factory=list, max_length=20)


def channel_ref(post: SocialPost) -> str:
    """Post ids are unique per platform only, so the platform is part of the reference."""
    return f"{post.platform.value}:{post.post_id}"


def to_payload(post: SocialPost, receipt: Receipt) -> ComplaintReceived:
    """Map a post: its first line as title, the author as the reporter's handle."""
    return ComplaintReceived(
        tracking_number=receipt.tracking_number,
        channel=Channel.SOCIAL,
        channel_ref=channel_ref(post),
        received_at=receipt.received_at,
        title=title_from(post.text),
        body=post.text,
        location=location(post.location),
        category_hint=post.category or None,
        classification_hint=post.classification,
        attachments=attachments(post.media),
        tags=unique_tags(post.tags, hashtags(post.text))[:20],
        reporter=reporter(None, name=post.author_name, handle="@" + post.author_handle.lstrip("@")),
        anonymous=post.anonymous,
        confidential=post.confidential,
        entry=Entry(
            connector_id=receipt.connector_id,
            source=post.platform.value,
            source_url=str(post.url) if post.url else None,
            sent_at=post.posted_at,
        ),
        thread=_thread(post),
    )


def hashtags(text: str) -> list[str]:
    """Return the hashtags of a text, lower-cased, without the #."""
    return [tag.lower() for tag in _HASHTAG.findall(text)]


def _thread(post: SocialPost) -> Thread | None:
    if post.reply_to_id is None:
        return None
    return Thread(reply_to=f"{post.platform.value}:{post.reply_to_id}")


ADAPTER: Adapter[SocialPost] = Adapter(
    channel=Channel.SOCIAL,
    model=SocialPost,
    channel_ref=channel_ref,
    to_payload=to_payload,
)
