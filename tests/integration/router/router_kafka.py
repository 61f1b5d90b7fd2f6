"""Kafka helpers for the router's integration tests: per-test topics and received events.

(The shared tests/conftest.py fixtures did not exist when these were written.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from kafka import KafkaAdminClient
from ulid import ULID

from shared.events import Channel, ComplaintReceived, Entry, Location, Reporter, encode, new_event
from shared.kafka.admin import TopicSpec, ensure_topics

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
OPD_CODES = ("triage", "dinkes", "dishub", "dpupr", "disdik", "dlh", "dispendukcapil")


@dataclass(frozen=True)
class RouterTopics:
    """One test's topics and consumer group."""

    received: str
    assigned: str
    opd_template: str
    group: str

    def opd(self, code: str) -> str:
        return self.opd_template.format(code=code)

    @property
    def dlq(self) -> str:
        return self.received + ".dlq"

    def all(self) -> list[str]:
        return [self.received, self.dlq, self.assigned, *(self.opd(c) for c in OPD_CODES)]


@contextmanager
def router_topics() -> Iterator[RouterTopics]:
    """Create unique topics for one test and delete them afterwards."""
    uid = str(ULID()).lower()
    topics = RouterTopics(
        received=f"t-{uid}.complaints.received",
        assigned=f"t-{uid}.complaints.assigned",
        opd_template=f"t-{uid}.opd.{{code}}",
        group=f"router-test-{uid}",
    )
    ensure_topics(BOOTSTRAP, [TopicSpec(name, partitions=3) for name in topics.all()])
    try:
        yield topics
    finally:
        admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
        try:
            admin.delete_topics(topics.all())
        finally:
            admin.close()


def received_event(
    cid: str, body: str, *, anonymous: bool = False, region: str | None = None
) -> bytes:
    data = ComplaintReceived(
        tracking_number=f"ADU-{cid[-8:]}",
        channel=Channel.WHATSAPP,
        channel_ref=f"wamid-{cid}",
        received_at=datetime.now(UTC),
        title="Laporan warga",
        body=body,
        location=Location(region_code=region),
        reporter=Reporter(name="Budi Santoso", nik="3578010101900001", phone="+6281234567890"),
        anonymous=anonymous,
        entry=Entry(connector_id="wa-gateway"),
    )
    return encode(new_event(data, complaint_id=cid, source="/test/intake"))
