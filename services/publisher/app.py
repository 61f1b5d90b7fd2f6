"""Wiring: the publisher's clients, handler and consume loop, built from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pymongo import MongoClient

from services.publisher.breaker import CircuitBreaker
from services.publisher.config import Settings
from services.publisher.lapor import LaporClient, make_http_client
from services.publisher.publisher import LaporPublisher
from services.publisher.repository import LedgerRepository
from shared.events import decode
from shared.health import Check, KafkaCheck, mongo_check
from shared.kafka.consumer import manual_commit_consumer
from shared.kafka.loop import ConsumeLoop, LoopPolicy
from shared.kafka.producer import idempotent_producer
from shared.mongo import database, mongo_client
from shared.retry import Backoff


@dataclass
class Runtime:
    """A built publisher: the loop to run, its readiness checks, and how to let go of it all."""

    loop: ConsumeLoop[Any]
    ready: dict[str, Check]
    close: Callable[[], None]


def build(settings: Settings) -> Runtime:
    """Connect everything the publisher needs; the caller runs `loop` and calls `close`."""
    mongo: MongoClient[dict[str, Any]] = mongo_client(
        settings.mongodb_uri, app_name=settings.service_name
    )
    ledger = LedgerRepository(
        database(mongo, settings.mongodb_database)[settings.ledger_collection]
    )
    ledger.ensure_indexes()
    lapor = settings.lapor
    http = make_http_client(
        lapor.base_url,
        lapor.token.get_secret_value(),
        connect_s=lapor.connect_timeout_s,
        read_s=lapor.read_timeout_s,
    )
    publisher = LaporPublisher(
        ledger=ledger,
        client=LaporClient(http),
        breaker=CircuitBreaker(
            failure_threshold=lapor.breaker_failure_threshold, cooldown_s=lapor.breaker_cooldown_s
        ),
        mapping=lapor.mapping,
        send_follow_up=lapor.send_resolution,
    )
    name = settings.service_name
    consumer = manual_commit_consumer(
        settings.kafka,
        group_id=settings.consumer_group,
        topics=[settings.input_topic],
        client_id=name,
    )
    producer = idempotent_producer(settings.kafka, client_id=name)  # dead letters only
    policy = LoopPolicy(
        backoff=Backoff(settings.retry_attempts, settings.retry_base_s, settings.retry_cap_s),
        unavailable_exit_s=settings.kafka_unavailable_exit_s,
    )
    loop: ConsumeLoop[Any] = ConsumeLoop(
        consumer, producer, service=name, decode=decode, handle=publisher.handle, policy=policy
    )
    kafka_check = KafkaCheck(settings.kafka)

    def close() -> None:
        producer.flush()
        producer.close()
        consumer.close()
        kafka_check.close()
        http.close()
        mongo.close()

    return Runtime(loop, {"mongo": mongo_check(mongo), "kafka": kafka_check}, close)
