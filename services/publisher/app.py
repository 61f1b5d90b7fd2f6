"""Wiring: the publisher's clients, handler and consume loop, built from the settings."""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from typing import Any

from pymongo import MongoClient
from ulid import ULID

from services.publisher.breaker import CircuitBreaker
from services.publisher.config import Settings
from services.publisher.lapor import LaporClient, make_http_client
from services.publisher.publisher import TARGET, LaporPublisher
from services.publisher.repository import LedgerRepository
from shared.events import decode
from shared.health import mongo_check
from shared.kafka.records import per_record
from shared.mongo import database, mongo_client
from shared.retry import MONGO
from shared.service import ConsumeService, build_consume_service


def build(settings: Settings) -> ConsumeService:
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
        owner=f"{socket.gethostname()}/{os.getpid()}/{ULID()}",
        lease=timedelta(seconds=settings.lease_s),
    )
    return build_consume_service(
        settings,
        topics=[settings.topics.resolved],
        decode=decode,
        handle=per_record(publisher.handle),
        ready={"mongo": mongo_check(mongo)},
        dependencies=(MONGO, TARGET),
        on_close=[http.close, mongo.close],
    )
