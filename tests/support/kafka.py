"""Kafka helpers for tests: read what a topic holds."""

from __future__ import annotations

import uuid
from typing import Any

from kafka import KafkaConsumer

from tests.support.wait import WaitTimeout, wait_until


def read_records(
    bootstrap: str, topic: str, count: int, timeout: float = 30.0, **consumer_options: Any
) -> list[Any]:
    """Read `topic` from the beginning until at least `count` records arrived; fail on timeout.

    Returns every record read (kafka-python ConsumerRecords, in partition order per partition),
    which may be more than `count`. Uses a fresh consumer group, so nothing is skipped.
    """
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "group_id": f"test-reader-{uuid.uuid4().hex[:8]}",
        "auto_offset_reset": "earliest",
        "enable_auto_commit": False,
        **consumer_options,
    }
    consumer = KafkaConsumer(topic, **options)
    records: list[Any] = []

    def enough() -> bool:
        for batch in consumer.poll(timeout_ms=200).values():
            records.extend(batch)
        return len(records) >= count

    try:
        wait_until(enough, timeout=timeout, interval=0, message=f"{count} records on {topic}")
    except WaitTimeout as exc:
        raise WaitTimeout(f"{exc}; got {len(records)}") from None
    finally:
        consumer.close()
    return records
