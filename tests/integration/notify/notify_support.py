"""Names of one notify test, settings built from them, a local SMTP server (aiosmtpd), and
"the group has read everything" for replay tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from services.notify.config import Settings, SmtpSettings
from shared.config import KafkaSettings, Topics
from tests.support.kafka import committed_offsets

REFUSED_DOMAIN = "ditolak.test"  # the SMTP server answers 550 for these recipients


@dataclass(frozen=True)
class NotifyEnv:
    """This test's topics, group, database and SMTP port."""

    kafka_bootstrap: str
    mongodb_uri: str
    topics: Topics
    group: str
    database: str
    smtp_port: int

    def settings(self, **over: Any) -> Settings:
        """The service's settings for this test (short retries)."""
        fields: dict[str, Any] = {"retry_base_s": 0.05, "retry_cap_s": 0.5, **over}
        return Settings(
            topics=self.topics,
            group_id=self.group,
            email_group_id=self.group + "-email",
            mongodb_uri=self.mongodb_uri,
            mongodb_database=self.database,
            kafka=KafkaSettings(bootstrap_servers=self.kafka_bootstrap),
            smtp=SmtpSettings(port=self.smtp_port, timeout_s=3, message_id_domain="aduan.test"),
            status_url="https://lapor.example/cek/{tracking}",
            **fields,
        )


@dataclass
class Mailbox:
    """What the local SMTP server accepted."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self) -> list[EmailMessage]:
        """A copy of the messages so far."""
        with self.lock:
            return list(self.messages)


class _Handler:
    """aiosmtpd handler: refuse one domain for good, keep the rest."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.endswith("@" + REFUSED_DOMAIN):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        with self.mailbox.lock:
            self.mailbox.messages.append(mail)
        return "250 Message accepted"


def smtp_server(port: int, mailbox: Mailbox) -> Controller:
    """A real SMTP server on 127.0.0.1:`port` (aiosmtpd), not started yet."""
    return Controller(_Handler(mailbox), hostname="127.0.0.1", port=port)


def caught_up(bootstrap: str, group: str, topics: list[str]) -> bool:
    """Whether `group` committed every record the topics hold now."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    try:
        partitions = [
            TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
        ]
        ends = consumer.end_offsets(partitions)
    finally:
        consumer.close()
    done = committed_offsets(bootstrap, group)
    return all(ends[tp] == 0 or done.get(tp, -1) >= ends[tp] for tp in partitions)
