"""Fixtures for notify's integration tests: Kafka and FerretDB from tests/conftest.py's
`infra`; per test its own topics, group, database, and a local SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from notify_support import Mailbox, NotifyEnv, smtp_server

from shared.config import Topics
from shared.topics import (
    COMPLAINTS_ASSIGNED,
    COMPLAINTS_RECEIVED,
    COMPLAINTS_RESOLVED,
    COMPLAINTS_UPDATES,
)
from tests.support.infra import Infra
from tests.support.processes import free_port

CHANNELS = ("sms", "whatsapp", "social", "email")


@pytest.fixture
def env(
    infra: Infra,
    new_topics: Callable[..., dict[str, str]],
    new_group: Callable[[], str],
    new_db: Callable[[], str],
) -> NotifyEnv:
    """This test's names; its topics and database are removed afterwards."""
    lifecycle = new_topics(
        COMPLAINTS_RECEIVED, COMPLAINTS_ASSIGNED, COMPLAINTS_UPDATES, COMPLAINTS_RESOLVED
    )
    notify = new_topics(*(f"notify.{ch}" for ch in CHANNELS))
    suffix = notify["notify.sms"].removeprefix("notify.sms")
    topics = Topics(
        received=lifecycle[COMPLAINTS_RECEIVED],
        assigned=lifecycle[COMPLAINTS_ASSIGNED],
        updates=lifecycle[COMPLAINTS_UPDATES],
        resolved=lifecycle[COMPLAINTS_RESOLVED],
        notify_template="notify.{channel}" + suffix,
    )
    return NotifyEnv(
        kafka_bootstrap=infra.kafka_bootstrap,
        mongodb_uri=infra.mongodb_uri,
        topics=topics,
        group=new_group(),
        database=new_db(),
        smtp_port=free_port(),
    )


@pytest.fixture
def mailbox(env: NotifyEnv) -> Iterator[Mailbox]:
    """A local SMTP server on the test's port, running for the whole test."""
    box = Mailbox()
    server = smtp_server(env.smtp_port, box)
    server.start()
    try:
        yield box
    finally:
        server.stop()
