"""Which lifecycle events the reporter hears about, and the message each becomes. Pure.

The message id is derived from the event that caused it (`follow`), so a replayed event makes
the very same message, which the ledger then refuses to send twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from services.notify.contact import EMAIL, SMS, SOCIAL, Contact
from services.notify.directory import OpdNames
from services.notify.templates import Templates, render
from shared.events import (
    CaseResolved,
    ComplaintAssigned,
    ComplaintPostponed,
    ComplaintReassigned,
    ComplaintReceived,
    Envelope,
    FollowUpKind,
    FollowUpPosted,
    NoticeKind,
    ReporterNotice,
    follow,
)

SOURCE: Final = "/aduan/notify"
# One SMS: SMS, and social-media replies (short and public).
_SHORT: Final = frozenset({SMS, SOCIAL})


@dataclass(frozen=True)
class Moment:
    """A point of the case the reporter is told about, with what the message may say."""

    kind: NoticeKind
    opd_code: str | None = None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Composer:
    """Turns a moment of a case into the message for its reporter."""

    templates: Templates
    opds: OpdNames
    status_url: str  # with `{tracking}`

    def moment_of(self, event: Envelope[Any]) -> Moment | None:
        """Return the moment `event` is, or None when the reporter is not told of it.

        A resolution is told from the sla's `CaseResolved` (the sla accepted it, and each
        reopened cycle has its own), not from the OPD's `ComplaintResolved`. A normative
        (template) follow-up is not told: only a substantive one.
        """
        data = event.data
        if isinstance(data, ComplaintAssigned | ComplaintReassigned):
            if getattr(data, "triage", False) or self.opds.is_triage(data.opd_code):
                return None
            return Moment(NoticeKind.DISPOSITION, data.opd_code)
        if isinstance(data, FollowUpPosted):
            substantive = data.kind is FollowUpKind.SUBSTANTIVE
            return Moment(NoticeKind.FOLLOW_UP, data.opd_code) if substantive else None
        if isinstance(data, ComplaintPostponed):
            return Moment(NoticeKind.POSTPONEMENT, missing=tuple(data.missing))
        if isinstance(data, CaseResolved):
            return Moment(NoticeKind.RESOLUTION, data.opd_code)
        return Moment(NoticeKind.RECEIPT) if isinstance(data, ComplaintReceived) else None

    def compose(
        self, event: Envelope[Any], moment: Moment, contact: Contact
    ) -> Envelope[ReporterNotice] | None:
        """Return the message for `contact`, or None when there is nobody to tell."""
        if contact.channel is None or contact.to is None:
            return None
        fields = {
            "tracking": contact.tracking_number,
            "status_url": self.status_url.format(tracking=contact.tracking_number),
            "opd": self.opds.name(moment.opd_code),
            "missing": ", ".join(moment.missing),
        }
        rendered = render(self.templates.of(moment.kind), fields, short=contact.channel in _SHORT)
        notice = ReporterNotice(
            kind=moment.kind,
            channel=contact.channel,
            to=contact.to,
            tracking_number=contact.tracking_number,
            text=rendered.text,
            subject=rendered.subject if contact.channel == EMAIL else None,
            via=contact.via,
            reply_to=contact.reply_to,
            references=[contact.reply_to] if contact.reply_to else [],
        )
        return follow(event, notice, source=SOURCE)
