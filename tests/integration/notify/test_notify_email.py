"""E-mail sent by the project itself over SMTP, against a local SMTP server (aiosmtpd): threaded
on the complaint's Message-ID, once per message, waited out while the server is down, and
dead-lettered with the reason when the server refuses the recipient for good."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from notify_support import REFUSED_DOMAIN, Mailbox, NotifyEnv, caught_up, smtp_server
from ulid import ULID

from services.notify.service import build_mail_sender, build_notifier
from shared import headers
from shared.events import Channel, Entry, Envelope, Reporter
from shared.service import ConsumeService
from shared.topics import dead_letter
from tests.support import events
from tests.support.kafka import read_to_end, send_events, send_records
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration
ORIGINAL_ID = "CAF=keluhan-1@mail.contoh.id"


def email_complaint(cid: str, tracking: str, address: str = "siti@contoh.id") -> Envelope[Any]:
    return events.received(
        cid, tracking, channel=Channel.EMAIL, channel_ref=ORIGINAL_ID,
        reporter=Reporter(name="Siti Rahayu", email=address), entry=Entry(connector_id="mail"),
    )  # fmt: skip


def test_receipt_goes_out_by_smtp_threaded_on_the_complaint_and_only_once(
    env: NotifyEnv, mailbox: Mailbox, run_in_background: Callable[..., ConsumeService]
) -> None:
    cid, tracking = str(ULID()), "ADU-MAIL-0001"
    settings = env.settings()
    run_in_background(build_notifier(settings), name="notify")
    run_in_background(build_mail_sender(settings), name="notify-email")
    send_events(env.kafka_bootstrap, env.topics.received, email_complaint(cid, tracking))
    [mail] = wait_until(mailbox.received, timeout=60, message="the receipt e-mail")
    assert mail["To"] == "siti@contoh.id"
    assert mail["In-Reply-To"] == f"<{ORIGINAL_ID}>" and mail["References"] == f"<{ORIGINAL_ID}>"
    assert mail["Message-ID"].endswith(f".{cid}@aduan.test>")
    assert tracking in mail["Subject"] and tracking in mail.get_content()
    # The same message twice on notify.email (a notifier crash before its ledger): one e-mail.
    [record] = read_to_end(env.kafka_bootstrap, env.topics.notify("email"), at_least=1)
    send_records(env.kafka_bootstrap, env.topics.notify("email"), [(cid, record.value)])
    email_topic = [env.topics.notify("email")]
    wait_until(lambda: caught_up(env.kafka_bootstrap, settings.email_group_id, email_topic),
               timeout=60, message="the sender to read the repeat")  # fmt: skip
    assert len(mailbox.received()) == 1


def test_smtp_down_is_waited_out_never_dead_lettered_then_each_mail_sent_once(
    env: NotifyEnv, run_in_background: Callable[..., ConsumeService]
) -> None:
    cid, tracking = str(ULID()), "ADU-MAIL-0002"
    settings = env.settings(retry_cap_s=0.3)
    run_in_background(build_notifier(settings), name="notify")
    sender = run_in_background(build_mail_sender(settings), name="notify-email")
    send_events(env.kafka_bootstrap, env.topics.received, email_complaint(cid, tracking))
    send_events(
        env.kafka_bootstrap, env.topics.assigned, events.assigned(cid, tracking, opd="3578-pupr")
    )
    read_to_end(env.kafka_bootstrap, env.topics.notify("email"), at_least=2, timeout=60)
    # Nothing listens on the SMTP port: the sender holds the batch and says why it is not ready.
    wait_until(lambda: _not_ready_for_smtp(sender), timeout=30, message="readyz to name smtp")
    box = Mailbox()
    server = smtp_server(env.smtp_port, box)
    server.start()
    try:
        mails = wait_until(lambda: len(box.received()) >= 2 and box.received(), timeout=60,
                           message="both e-mails once SMTP is up")  # fmt: skip
        email_topic = [env.topics.notify("email")]
        wait_until(lambda: caught_up(env.kafka_bootstrap, settings.email_group_id, email_topic),
                   timeout=60, message="the sender to commit")  # fmt: skip
    finally:
        server.stop()
    assert len(box.received()) == 2
    subjects = sorted(m["Subject"] for m in mails)
    assert "diteruskan ke" in subjects[0] and "diterima" in subjects[1]
    assert all(tracking in s for s in subjects)
    assert read_to_end(env.kafka_bootstrap, dead_letter(env.topics.notify("email"))) == []


def test_a_recipient_refused_for_good_is_dead_lettered_with_the_reason(
    env: NotifyEnv, mailbox: Mailbox, run_in_background: Callable[..., ConsumeService]
) -> None:
    refused, fine = str(ULID()), str(ULID())
    settings = env.settings()
    run_in_background(build_notifier(settings), name="notify")
    run_in_background(build_mail_sender(settings), name="notify-email")
    send_events(env.kafka_bootstrap, env.topics.received,
                email_complaint(refused, "ADU-MAIL-0003", f"siti@{REFUSED_DOMAIN}"),
                email_complaint(fine, "ADU-MAIL-0004"))  # fmt: skip
    [dead] = read_to_end(
        env.kafka_bootstrap, dead_letter(env.topics.notify("email")), at_least=1, timeout=60
    )
    reason = dict(dead.headers)[headers.DLQ_ERROR_MESSAGE].decode()
    assert dead.key.decode() == refused and "550" in reason
    [mail] = wait_until(mailbox.received, timeout=60, message="the other e-mail")
    assert "ADU-MAIL-0004" in mail["Subject"]


def _not_ready_for_smtp(service: ConsumeService) -> bool:
    try:
        service.ready["dependencies"]()
    except Exception as exc:
        return "smtp" in str(exc)
    return False
