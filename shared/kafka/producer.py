"""The idempotent producer every service sends with."""

from __future__ import annotations

from typing import Any

from kafka import KafkaProducer

from shared.config import KafkaSettings


def idempotent_producer(
    settings: KafkaSettings, *, client_id: str, **overrides: Any
) -> KafkaProducer:
    """Return a producer with acks=all and idempotence: a retried send is written once.

    kafka-python 3.x turns idempotence off silently when acks is not "all", so both are set here
    explicitly. Records are small JSON, so linger a little and compress batches.
    """
    options: dict[str, Any] = {
        **settings.client_options(),
        "client_id": client_id,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "compression_type": None,
        "max_block_ms": 10_000,
        "request_timeout_ms": 15_000,
    }
    options.update(overrides)
    return KafkaProducer(**options)
