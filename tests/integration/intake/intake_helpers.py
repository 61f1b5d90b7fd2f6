"""Constants of the intake integration tests, and reading a whole topic to count exactly what
intake published (tests/support read_records reads *at least* N records; these need *exactly* N)."""

from __future__ import annotations

import time
from typing import Any

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

DEAD_KAFKA = "127.0.0.1:1"  # nothing listens there: Kafka is "down"
API_KEY = "it-key-web"
CONNECTOR = "webform-it"


def read_topic(bootstrap: str, topic: str, *, timeout_s: float = 30.0) -> list[Any]:
    """Read every record the topic holds now (up to its end offsets), from the beginning."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        records: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            if time.monotonic() > deadline:
                raise AssertionError(f"could not read {topic} up to {ends}")
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()
