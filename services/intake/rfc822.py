"""Reading a raw RFC 822 message with the standard library (pure functions).

Only what a complaint needs leaves this module: subject, plain text (HTML turned into text),
sender, Message-ID, thread ids, and each attachment's name, type, size and SHA-256. The bytes
of attachments never do: an event carries references only.
"""

from __future__ import annotations

import email
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
_HIDDEN = {"script", "style", "head", "title"}
_MSG_ID = re.compile(r"<([^<>\s]+)>")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\r\f\v]+")


class UnreadableMessage(ValueError):
    """The message cannot be read: the reason, never its content."""


@dataclass(frozen=True)
class MailAttachment:
    """One attached file, described, not carried."""

    index: int
    filename: str | None
    content_type: str
    size: int
    sha256: str
    content_id: str | None


@dataclass(frozen=True)
class ParsedMail:
    """What intake takes from one message."""

    message_id: str | None
    subject: str
    text: str
    sender_name: str | None
    sender_address: str | None
    sent_at_header: str | None
    in_reply_to: str | None
    references: list[str] = field(default_factory=list)
    attachments: list[MailAttachment] = field(default_factory=list)


def parse_message(raw: bytes) -> ParsedMail:
    """Parse a raw message; raise UnreadableMessage with the reason when it cannot be read."""
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)  # guaranteed by policy.default
        return _read(message)
    # The parser's failures are many and undocumented (LookupError for a charset, IndexError,
    # header errors); any of them means "unreadable", which the caller reports as a 422.
    except Exception as exc:
        raise UnreadableMessage(f"the message cannot be read ({type(exc).__name__})") from exc


def _read(message: EmailMessage) -> ParsedMail:
    name, address = _sender(message)
    return ParsedMail(
        message_id=_first_id(str(message.get("message-id", ""))),
        subject=_one_line(str(message.get("subject", ""))),
        text=_text(message),
        sender_name=name,
        sender_address=address,
        sent_at_header=str(message.get("date", "")) or None,
        in_reply_to=_first_id(str(message.get("in-reply-to", ""))),
        references=_MSG_ID.findall(str(message.get("references", ""))),
        attachments=[_describe(i, part) for i, part in enumerate(message.iter_attachments(), 1)],
    )


def _sender(message: EmailMessage) -> tuple[str | None, str | None]:
    pairs = getaddresses([str(message.get("from", ""))])
    name, address = pairs[0] if pairs else ("", "")
    return (name.strip() or None, address.strip() or None)


def _first_id(header: str) -> str | None:
    found = _MSG_ID.search(header)
    return found.group(1) if found else (header.strip() or None)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _text(message: EmailMessage) -> str:
    """The plain body, else the HTML body as text; a multipart with neither gives ''."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = str(part.get_content())
    text = html_to_text(content) if part.get_content_type() == "text/html" else content
    return _BLANK_LINES.sub("\n\n", text).strip()


def _describe(index: int, part: Message) -> MailAttachment:
    data = part.get_payload(decode=True)
    payload = data if isinstance(data, bytes) else b""
    return MailAttachment(
        index=index,
        filename=part.get_filename(),
        content_type=part.get_content_type(),
        size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(),
        content_id=_first_id(str(part.get("content-id", ""))),
    )


def sent_at(header: str | None) -> datetime | None:
    """Return the Date header as an aware datetime, or None when absent or unreadable."""
    if not header:
        return None
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else None


class _TextCollector(HTMLParser):
    """Collects the visible text of an HTML document, a line break per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in _HIDDEN
        if tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in _HIDDEN and self._hidden > 0
        if tag in _BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.chunks.append(_SPACES.sub(" ", data))


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML body: scripts and styles dropped, blocks on lines."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (line.strip() for line in "".join(collector.chunks).splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
