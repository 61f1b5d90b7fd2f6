"""Kafka helpers for the router's integration tests: per-test topics, reading them back.

(The shared tests/conftest.py fixtures did not exist when these were written.)
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition
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


def produce(topic: str, records: list[tuple[str, bytes]]) -> None:
    """Send (key, value) records and wait until Kafka has them."""
    producer = KafkaProducer(bootstrap_servers=BOOTSTRAP)
    try:
        for key, value in records:
            producer.send(topic, key=key.encode(), value=value)
        producer.flush(timeout=30)
    finally:
        producer.close()


def read(topic: str, count: int, timeout_s: float = 30.0) -> list[Any]:
    """Read at least `count` records from the start of `topic`, polling until a deadline."""
    consumer = KafkaConsumer(bootstrap_servers=BOOTSTRAP, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while len(records) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        assert len(records) >= count, f"{topic}: {len(records)} of {count} records in {timeout_s}s"
        return records
    finally:
        consumer.close()


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
