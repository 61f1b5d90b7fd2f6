"""Whom the notifier tells, on which channel, about which moments, with which message id."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.notify.config import SmtpSettings
from services.notify.contact import contact_of
from services.notify.mail import compose, message_id
from shared.events import (
    Channel,
    ComplaintReassigned,
    Entry,
    FollowUpKind,
    NoticeKind,
    Reporter,
    follow,
)
from tests.support.events import T0, assigned, follow_up, resolved
from tests.unit.notify.notify_cases import (
    CID,
    TRACKING,
    case_resolved,
    complaint,
    composer,
    postponed,
)


@pytest.mark.parametrize(
    ("channel", "reporter", "expected"),
    [
        (Channel.SMS, Reporter(phone="+6281234567890"), ("sms", "+6281234567890")),
        (Channel.WHATSAPP, Reporter(phone="+6281234567890"), ("whatsapp", "+6281234567890")),
        (Channel.EMAIL, Reporter(email="siti@contoh.id"), ("email", "siti@contoh.id")),
        (Channel.SOCIAL, Reporter(handle="@siti_sby"), ("social", "@siti_sby")),
        (Channel.CALLCENTER, Reporter(phone="+6281234567890"), ("sms", "+6281234567890")),
        (
            Channel.WEB,
            Reporter(email="s@contoh.id", phone="+6281234567890"),
            ("email", "s@contoh.id"),
        ),
        (Channel.WEB, Reporter(phone="+6281234567890"), ("sms", "+6281234567890")),
        (Channel.EMAIL, Reporter(name="Siti"), (None, None)),
    ],
)
def test_the_reporter_is_answered_on_their_channel_or_the_contact_they_left(
    channel: Channel, reporter: Reporter, expected: tuple[str | None, str | None]
) -> None:
    event = complaint(channel, reporter=reporter)
    contact = contact_of(CID, event.data)
    assert (contact.channel, contact.to) == expected
    assert contact.tracking_number == TRACKING


def test_an_anonymous_reporter_without_contact_is_told_nothing() -> None:
    event = complaint(Channel.WEB, reporter=None, anonymous=True)
    contact = contact_of(CID, event.data)
    assert contact.channel is None
    assert composer().compose(event, composer().moment_of(event), contact) is None  # type: ignore[arg-type]


def test_an_anonymous_reporter_who_left_a_contact_is_told_privately_never_on_social_media() -> None:
    reporter = Reporter(handle="@siti_sby", email="siti@contoh.id")
    event = complaint(Channel.SOCIAL, reporter=reporter, anonymous=True)
    assert (contact_of(CID, event.data).channel, contact_of(CID, event.data).to) == (
        "email",
        "siti@contoh.id",
    )


def test_an_email_complaint_is_answered_in_its_own_thread() -> None:
    event = complaint(
        Channel.EMAIL, channel_ref="CAF=abc@mail.contoh.id", entry=Entry(connector_id="mail")
    )
    contact = contact_of(CID, event.data)
    notice = composer().compose(event, composer().moment_of(event), contact)  # type: ignore[arg-type]
    assert notice is not None
    mail = compose(notice, SmtpSettings(message_id_domain="aduan.test"))
    assert mail["In-Reply-To"] == "<CAF=abc@mail.contoh.id>"
    assert mail["References"] == "<CAF=abc@mail.contoh.id>"
    assert (
        mail["Message-ID"]
        == message_id(notice, "aduan.test")
        == f"<aduan.{notice.id}.{CID}@aduan.test>"
    )
    assert mail["To"] == "siti@contoh.id" and TRACKING in mail["Subject"]
    assert mail["Auto-Submitted"] == "auto-generated"


def test_the_moments_told_and_the_ones_not_told() -> None:
    c = composer()
    cid = CID
    told = {
        "receipt": c.moment_of(complaint()),
        "disposition": c.moment_of(assigned(cid, TRACKING, opd="3578-dlh")),
        "follow_up": c.moment_of(follow_up(cid, opd="3578-dlh", kind=FollowUpKind.SUBSTANTIVE)),
        "resolution": c.moment_of(case_resolved()),
        "postponement": c.moment_of(postponed("foto lokasi")),
    }
    assert {k: m.kind.value if m else None for k, m in told.items()} == {k: k for k in told}
    assert told["postponement"] is not None and told["postponement"].missing == ("foto lokasi",)
    # Not told: triage, a template-only follow-up, the OPD's own resolution (the sla's is told).
    assert c.moment_of(assigned(cid, TRACKING, opd="35-triage", triage=True)) is None
    assert c.moment_of(follow_up(cid, opd="3578-dlh", kind=FollowUpKind.NORMATIVE)) is None
    assert c.moment_of(resolved(cid, opd="3578-dlh")) is None


def test_a_disposition_from_triage_by_reassignment_is_told_with_the_opds_name() -> None:
    data = ComplaintReassigned(opd_code="3578-dlh", previous_opd="35-triage", by="admin",
                               reassigned_at=T0 + timedelta(hours=2))  # fmt: skip
    event = follow(complaint(), data, source="/aduan/router")
    moment = composer().moment_of(event)
    assert moment is not None and moment.kind is NoticeKind.DISPOSITION
    contact = contact_of(CID, complaint().data)
    notice = composer().compose(event, moment, contact)
    assert notice is not None and "Lingkungan Hidup" in notice.data.text


def test_a_replayed_event_makes_the_same_message_id_and_another_event_another_id() -> None:
    c = composer()
    contact = contact_of(CID, complaint().data)
    event, other = case_resolved(), case_resolved()
    first = c.compose(event, c.moment_of(event), contact)  # type: ignore[arg-type]
    replayed = c.compose(event, c.moment_of(event), contact)  # type: ignore[arg-type]
    second = c.compose(other, c.moment_of(other), contact)  # type: ignore[arg-type]
    assert first is not None and replayed is not None and second is not None
    assert first.id == replayed.id != second.id
    assert first.subject == CID and first.data.kind is NoticeKind.RESOLUTION
