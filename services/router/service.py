"""Wiring the consumer: clients, the rules store, the loop, health checks and shutdown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.router.config import Settings
from services.router.handler import Router, decode_received
from services.router.store import RulesStore
from shared.health import Check, KafkaCheck
from shared.kafka.consumer import manual_commit_consumer
from shared.kafka.loop import ConsumeLoop, LoopPolicy
from shared.kafka.producer import idempotent_producer


@dataclass
class RouterService:
    """A built router: run `loop.run()`, expose `ready`, call `close()` at the end."""

    loop: ConsumeLoop[Any]
    ready: dict[str, Check]
    close: Callable[[], None]


def build_store(settings: Settings) -> RulesStore:
    """Return the rules store, failing fast (ConfigFileError) when the files are invalid."""
    store = RulesStore(
        settings.rules_file, settings.opd_file, check_interval_s=settings.rules_check_interval_s
    )
    store.current()
    return store


def build_service(
    settings: Settings, store: RulesStore, **consumer_overrides: Any
) -> RouterService:
    """Build the consumer, producer and loop for `settings`."""
    client_id = settings.service_name
    consumer = manual_commit_consumer(
        settings.kafka,
        group_id=settings.group_id,
        topics=[settings.received_topic],
        client_id=client_id,
        **consumer_overrides,
    )
    producer = idempotent_producer(settings.kafka, client_id=client_id)
    router = Router(settings, store)
    loop: ConsumeLoop[Any] = ConsumeLoop(
        consumer,
        producer,
        service=settings.service_name,
        decode=decode_received,
        handle=router.handle,
        policy=LoopPolicy(unavailable_exit_s=settings.kafka_unavailable_exit_s),
    )
    kafka_check = KafkaCheck(settings.kafka)

    def close() -> None:
        producer.flush()
        producer.close()
        consumer.close()
        kafka_check.close()

    ready: dict[str, Check] = {"kafka": kafka_check, "rules": store.ready_check}
    return RouterService(loop=loop, ready=ready, close=close)
