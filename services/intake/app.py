"""The intake FastAPI app: channel routes, health, metrics, and the outbox relay's lifespan."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from kafka import KafkaProducer
from ulid import ULID

from services.intake.adapters import ADAPTERS
from services.intake.api import channel_router
from services.intake.config import Settings
from services.intake.group_commit import GroupInserter
from services.intake.linker import duplicate_linker
from services.intake.open311 import open311_router
from services.intake.openapi import openapi_builder
from services.intake.outbox import RelayConfig
from services.intake.relay import RelayWorker
from services.intake.repository import ComplaintRepository
from services.intake.security import Gate
from services.intake.sms_parts import SmsPartStore
from shared.health import Check, KafkaCheck, health_routes, liveness, mongo_check
from shared.kafka.producer import idempotent_producer
from shared.mongo import database, mongo_client

log = logging.getLogger(__name__)


def create_app(settings: Settings, channels: Sequence[str] | None = None) -> FastAPI:
    """Build the app serving `channels` (default: every channel with an adapter)."""
    chosen = list(channels or ADAPTERS)
    unknown = sorted(set(chosen) - set(ADAPTERS))
    if unknown:
        raise ValueError(f"no adapter for channel(s) {unknown}; known: {sorted(ADAPTERS)}")
    app = FastAPI(title="Aduan intake", version="1", lifespan=_lifespan(settings))
    gate = Gate(settings.all_connectors(), settings.gate_limits())
    for channel in chosen:
        app.include_router(
            channel_router(
                ADAPTERS[channel],
                gate=gate,
                max_body_bytes=settings.channel_max_body_bytes.get(
                    channel, settings.max_body_bytes
                ),
            )
        )
    app.include_router(
        open311_router(settings.open311_services, gate=gate, max_body_bytes=settings.max_body_bytes)
    )
    _add_health(app, settings)
    app.openapi = openapi_builder(app)  # type: ignore[method-assign]
    return app


def _lifespan(settings: Settings) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = mongo_client(settings.mongodb_uri, app_name=settings.service_name)
        complaints = database(client, settings.mongodb_database)[settings.collection]
        inserter = GroupInserter(
            lambda docs: complaints.insert_many(docs, ordered=False),
            max_batch=settings.group_commit_max,
            max_wait_s=settings.group_commit_wait_s,
        )
        repo = ComplaintRepository(complaints, inserter)
        # Without the unique indexes idempotency silently breaks: refuse to start instead.
        await run_in_threadpool(repo.ensure_indexes)
        linker = await run_in_threadpool(duplicate_linker, client, settings)
        relay = RelayWorker(
            repo,
            lambda: _producer(settings),
            _relay_config(settings),
            poll_s=settings.relay_poll_s,
            scan_s=settings.relay_scan_s,
            # Possible duplicates are marked as the relay sends, a batch at a time: off the
            # submissions' path (README, "Measured").
            mark=linker.mark_outbox if linker is not None else None,
            overlap_marks=settings.relay_overlap_marks,
        )
        kafka_check = KafkaCheck(settings.kafka)
        app.state.repo, app.state.relay = repo, relay
        # Parts of long SMS waiting for the rest (sms_parts.py); keyed by _id, no index needed.
        app.state.sms_parts = SmsPartStore(client[settings.mongodb_database][settings.sms_parts])
        app.state.ready_checks = {"mongo": mongo_check(client), "kafka": kafka_check}
        relay.start()
        try:
            yield
        finally:
            inserter.stop()
            relay.stop(settings.relay_flush_timeout_s)
            kafka_check.close()
            client.close()
            log.info("stopped: relay flushed, clients closed")

    return lifespan


def _relay_config(settings: Settings) -> RelayConfig:
    return RelayConfig(
        topic=settings.topics.received,
        updates_topic=settings.topics.updates,
        owner=f"{socket.gethostname()}/{os.getpid()}/{ULID()}",
        batch_size=settings.relay_batch_size,
        backlog_batch_size=settings.relay_backlog_batch_size,
        lease=timedelta(seconds=settings.relay_lease_s),
        flush_timeout_s=settings.relay_flush_timeout_s,
    )


def _producer(settings: Settings) -> KafkaProducer:
    connect_ms = int(settings.relay_connect_timeout_s * 1000)
    return idempotent_producer(
        settings.kafka,
        client_id=f"{settings.service_name}-relay",
        bootstrap_timeout_ms=connect_ms,  # the constructor blocks this long when Kafka is away
        max_block_ms=connect_ms,
        delivery_timeout_ms=int(settings.relay_flush_timeout_s * 1000),
    )


def _add_health(app: FastAPI, settings: Settings) -> None:
    def live() -> dict[str, Check]:
        relay = app.state.relay
        return {"relay": liveness(lambda: relay.last_iteration, settings.live_max_age_s)}

    advisory = () if settings.ready_requires_kafka else ("kafka",)
    app.include_router(
        health_routes(live=live, ready=lambda: app.state.ready_checks, advisory=advisory)
    )
