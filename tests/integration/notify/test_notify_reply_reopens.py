"""End to end through the local SMTP server: a complaint by e-mail through intake, resolved in
the sla, the resolution e-mail sent by notify over SMTP; the reporter answers that e-mail, the
answer goes in through intake as a reply, and the sla reopens the case. Real Kafka, FerretDB and
SMTP (aiosmtpd); the services run in this process, each on its own loop."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from fastapi.testclient import TestClient
from notify_support import Mailbox, NotifyEnv
from pydantic import SecretStr
from pymongo import MongoClient

from services.intake.app import create_app
from services.intake.config import Settings as IntakeSettings
from services.notify.service import build_mail_sender, build_notifier
from services.sla.config import Settings as SlaSettings
from services.sla.service import build as build_sla
from shared.config import KafkaSettings
from shared.events import ComplaintResolved, new_event
from shared.service import ConsumeService
from tests.support import events
from tests.support.kafka import send_events
from tests.support.wait import wait_until

pytestmark = pytest.mark.integration
API_KEY = "mail-key"
SITI = "siti@contoh.id"


def complaint_mail() -> str:
    mail = EmailMessage()
    mail["From"] = f"Siti Rahayu <{SITI}>"
    mail["To"] = "pengaduan@jatimprov.go.id"
    mail["Subject"] = "Jalan berlubang di depan pasar"
    mail["Message-ID"] = "<keluhan-42@contoh.id>"
    mail.set_content("Jalan di depan Pasar Wonokromo berlubang besar, mohon segera diperbaiki.")
    return base64.b64encode(bytes(mail)).decode()


def reply_to(ours: EmailMessage) -> str:
    mail = EmailMessage()
    mail["From"] = f"Siti Rahayu <{SITI}>"
    mail["To"] = ours["From"]
    mail["Subject"] = "Re: " + ours["Subject"]
    mail["Message-ID"] = "<balasan-42@contoh.id>"
    mail["In-Reply-To"] = ours["Message-ID"]
    mail["References"] = f"{ours['References']} {ours['Message-ID']}"
    mail.set_content("Belum tuntas: lubangnya hanya ditimbun pasir dan sudah terbuka lagi.")
    return base64.b64encode(bytes(mail)).decode()


@pytest.fixture
def intake(env: NotifyEnv) -> Iterator[TestClient]:
    settings = IntakeSettings(
        api_keys={"mail-gw": SecretStr(API_KEY)},
        mongodb_uri=env.mongodb_uri,
        mongodb_database=env.database,
        topics=env.topics,
        kafka=KafkaSettings(bootstrap_servers=env.kafka_bootstrap),
        relay_poll_s=0.2,
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def cases(env: NotifyEnv) -> Iterator[Any]:
    with MongoClient(env.mongodb_uri, tz_aware=True) as client:
        yield client[env.database]["cases"]


def test_a_reply_to_the_resolution_email_reopens_the_case_in_the_sla(
    env: NotifyEnv, mailbox: Mailbox, intake: TestClient, cases: Any,
    run_in_background: Callable[..., ConsumeService],
) -> None:  # fmt: skip
    sla = build_sla(SlaSettings(
        topics=env.topics, group_id=env.group + "-sla", mongodb_uri=env.mongodb_uri,
        mongodb_database=env.database, kafka=KafkaSettings(bootstrap_servers=env.kafka_bootstrap),
        retry_base_s=0.05, retry_cap_s=0.5,
    ))  # fmt: skip
    run_in_background(sla.service, name="sla")
    run_in_background(build_notifier(env.settings()), name="notify")
    run_in_background(build_mail_sender(env.settings()), name="notify-email")
    headers = {"X-Api-Key": API_KEY}
    answer = intake.post(
        "/v1/channels/email/complaints", json={"raw_base64": complaint_mail()}, headers=headers
    )
    assert answer.status_code == 202, answer.text
    cid, tracking = answer.json()["complaint_id"], answer.json()["tracking_number"]
    send_events(
        env.kafka_bootstrap, env.topics.assigned, events.assigned(cid, tracking, opd="3578-pupr")
    )
    wait_until(lambda: _status(cases, cid) == "assigned", timeout=60, message="the case assigned")
    done = ComplaintResolved(opd_code="3578-pupr", resolution="Lubang sudah ditambal.",
                             resolved_at=events.T0 + timedelta(days=2))  # fmt: skip
    send_events(
        env.kafka_bootstrap, env.topics.updates, new_event(done, complaint_id=cid, source="opd")
    )
    resolution = wait_until(lambda: _mail_about(mailbox, "mohon tanggapan"), timeout=60,
                            message="the resolution e-mail")  # fmt: skip
    assert resolution["To"] == SITI and tracking in resolution["Subject"]
    assert resolution["In-Reply-To"] == "<keluhan-42@contoh.id>"
    # The sla sends CaseResolved before it stores the case (its write follows the flushed sends).
    wait_until(lambda: _status(cases, cid) == "resolved", timeout=60, message="the case resolved")
    # Siti answers the e-mail: intake takes it as a reply on her case, not a new complaint.
    answer = intake.post(
        "/v1/channels/email/complaints", json={"raw_base64": reply_to(resolution)}, headers=headers
    )
    assert answer.status_code == 202, answer.text
    assert (answer.json()["complaint_id"], answer.json()["tracking_number"]) == (cid, tracking)
    wait_until(
        lambda: _status(cases, cid) == "in_progress", timeout=60, message="the case reopened"
    )
    case = cases.find_one({"_id": cid})["case"]
    assert case["version"] == 2 and case["reopened_at"] is not None


def _status(cases: Any, cid: str) -> str | None:
    doc = cases.find_one({"_id": cid})
    return doc["case"]["status"] if doc else None


def _mail_about(mailbox: Mailbox, words: str) -> EmailMessage | None:
    return next((m for m in mailbox.received() if words in m["Subject"].lower()), None)
