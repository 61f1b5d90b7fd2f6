"""The consumer every kafka-python service reads with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer

from shared.config import KafkaSettings


def manual_commit_consumer(
    settings: KafkaSettings,
    *,
    group_id: str,
    topics: Sequence[str],
    client_id: str,
    listener: ConsumerRebalanceListener | None = None,
    **overrides: Any,
) -> KafkaConsumer:
    """Return a subscribed consumer that commits only when told to, after the side effect.

    read_committed hides records of aborted transactions (the router writes transactionally).
    The session timeout is shorter than kafka-python 3.x's 45 s default so a dead member's
    partitions move on quickly. `listener` hears of assigned and revoked partitions (kafka-python
    may call it from its network thread: keep it short and thread-safe).
    """
    options: dict[str, Any] = {
        **settings.client_options(),
        "client_id": client_id,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "session_timeout_ms": 10_000,
        "heartbeat_interval_ms": 1_000,
        "max_poll_records": 500,
    }
    options.update(overrides)
    consumer = KafkaConsumer(**options)
    consumer.subscribe(list(topics), listener=listener)
    return consumer
