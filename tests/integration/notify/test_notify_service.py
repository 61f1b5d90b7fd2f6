"""The notifier on the real Kafka and FerretDB: every moment told once on the reporter's
channel, nothing again after a replay, nothing to an anonymous reporter without contact, and an
event read before its receipt told after it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from notify_support import NotifyEnv, caught_up
from ulid import ULID

from services.notify.service import build_notifier
from shared.events import (
    CaseResolved,
    Channel,
    Classification,
    ComplaintPostponed,
    Envelope,
    FollowUpKind,
    Reporter,
    decode,
    follow,
)
from shared.service import ConsumeService
from tests.support import events
from tests.support.kafka import read_to_end, send_events
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration
PHONE = "+6281234567890"


def lifecycle(cid: str, tracking: str) -> dict[str, Envelope[Any]]:
    """One SMS complaint's events, each a moment the reporter is told about."""
    got = events.received(cid, tracking, channel=Channel.SMS, reporter=Reporter(phone=PHONE))
    t0 = events.T0
    resolved = CaseResolved(
        tracking_number=tracking, channel=Channel.SMS, title="Jalan", body="Jalan berlubang.",
        classification=Classification.PENGADUAN, opd_code="3578-pupr", anonymous=False,
        confidential=False, received_at=t0, resolved_at=t0 + timedelta(days=2),
        resolution="Sudah ditambal.", case_version=1,
    )  # fmt: skip
    postponed = ComplaintPostponed(missing=["foto lokasi"], by="admin", postponed_at=t0)
    return {
        "received": got,
        "assigned": events.assigned(cid, tracking, opd="3578-pupr"),
        "follow_up": events.follow_up(cid, opd="3578-pupr", kind=FollowUpKind.SUBSTANTIVE),
        "normative": events.follow_up(cid, opd="3578-pupr", kind=FollowUpKind.NORMATIVE),
        "postponed": follow(got, postponed, source="/aduan/router"),
        "resolved": follow(got, resolved, source="/aduan/sla"),
    }


def send_lifecycle(env: NotifyEnv, e: dict[str, Envelope[Any]]) -> None:
    topics = env.topics
    send_events(env.kafka_bootstrap, topics.received, e["received"])
    send_events(env.kafka_bootstrap, topics.assigned, e["assigned"])
    send_events(env.kafka_bootstrap, topics.updates, e["follow_up"], e["normative"], e["postponed"])
    send_events(env.kafka_bootstrap, topics.resolved, e["resolved"])


def lifecycle_topics(env: NotifyEnv) -> list[str]:
    t = env.topics
    return [t.received, t.assigned, t.updates, t.resolved]


def test_each_moment_is_told_once_and_a_replayed_updates_topic_sends_nothing_again(
    env: NotifyEnv, run_in_background: Callable[..., ConsumeService]
) -> None:
    cid, tracking = str(ULID()), "ADU-7K3M-9QXP"
    e = lifecycle(cid, tracking)
    run_in_background(build_notifier(env.settings()), name="notify")
    send_lifecycle(env, e)
    sms = env.topics.notify("sms")
    records = read_to_end(env.kafka_bootstrap, sms, at_least=5, timeout=60)
    notices = [decode(r.value) for r in records]
    kinds = sorted(n.data.kind.value for n in notices)
    assert kinds == ["disposition", "follow_up", "postponement", "receipt", "resolution"]
    assert {r.key.decode() for r in records} == {cid}
    assert all(n.data.to == PHONE and n.data.channel == "sms" for n in notices)
    assert all(tracking in n.data.text and len(n.data.text) <= 160 for n in notices)
    # A replay of complaints.updates (the same events again, at new offsets) and of the rest.
    send_events(
        env.kafka_bootstrap, env.topics.updates, e["follow_up"], e["normative"], e["postponed"]
    )
    send_lifecycle(env, e)
    wait_until(lambda: caught_up(env.kafka_bootstrap, env.group, lifecycle_topics(env)), timeout=60,
               message="the notifier to read the replay")  # fmt: skip
    again = read_to_end(env.kafka_bootstrap, sms, at_least=5)
    assert sorted(r.value for r in again) == sorted(r.value for r in records)
    for channel in ("email", "whatsapp", "social"):
        assert read_to_end(env.kafka_bootstrap, env.topics.notify(channel)) == []


def test_an_anonymous_reporter_without_contact_gets_nothing(
    env: NotifyEnv, run_in_background: Callable[..., ConsumeService]
) -> None:
    anonymous, marker = str(ULID()), str(ULID())
    run_in_background(build_notifier(env.settings()), name="notify")
    nobody = events.received(
        anonymous, "ADU-AAAA-0001", channel=Channel.WEB, reporter=None, anonymous=True
    )
    send_events(env.kafka_bootstrap, env.topics.received, nobody)
    send_events(
        env.kafka_bootstrap,
        env.topics.assigned,
        events.assigned(anonymous, "ADU-AAAA-0001", opd="3578-pupr"),
    )
    wait_until(lambda: caught_up(env.kafka_bootstrap, env.group, lifecycle_topics(env)), timeout=60,
               message="the notifier to read the anonymous case")  # fmt: skip
    # A complaint with a contact afterwards: its message proves the notifier went past the first.
    marked = events.received(
        marker, "ADU-BBBB-0002", channel=Channel.SMS, reporter=Reporter(phone=PHONE)
    )
    send_events(env.kafka_bootstrap, env.topics.received, marked)
    records = read_to_end(env.kafka_bootstrap, env.topics.notify("sms"), at_least=1, timeout=60)
    assert [r.key.decode() for r in records] == [marker]
    for channel in ("email", "whatsapp", "social"):
        assert read_to_end(env.kafka_bootstrap, env.topics.notify(channel)) == []


def test_an_event_read_before_its_receipt_is_told_once_the_receipt_comes(
    env: NotifyEnv, run_in_background: Callable[..., ConsumeService]
) -> None:
    cid, tracking = str(ULID()), "ADU-CCCC-0003"
    e = lifecycle(cid, tracking)
    run_in_background(build_notifier(env.settings()), name="notify")
    send_events(env.kafka_bootstrap, env.topics.assigned, e["assigned"])
    wait_until(lambda: caught_up(env.kafka_bootstrap, env.group, lifecycle_topics(env)), timeout=60,
               message="the notifier to read the early assignment")  # fmt: skip
    assert read_to_end(env.kafka_bootstrap, env.topics.notify("sms")) == []
    send_events(env.kafka_bootstrap, env.topics.received, e["received"])
    records = read_to_end(env.kafka_bootstrap, env.topics.notify("sms"), at_least=2, timeout=60)
    assert [decode(r.value).data.kind.value for r in records] == ["receipt", "disposition"]
