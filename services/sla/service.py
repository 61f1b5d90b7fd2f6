"""Wiring: Mongo repositories, the case handler and its HTTP app around the shared consume loop.

Kafka away: the loop rewinds and retries, and exits 3 after KAFKA_UNAVAILABLE_EXIT_S. Mongo away:
loading or storing a case raises a transient error, retried with back-off, then the event is
dead-lettered (replay it from `<topic>.dlq` once Mongo is back; the case state is unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from pymongo import MongoClient

from services.sla import metrics
from services.sla.config import Settings
from services.sla.handler import CaseHandler
from services.sla.repository import CaseRepository, StateRepository
from services.sla.web import create_web_app
from shared.events import decode
from shared.health import mongo_check
from shared.kafka.loop import LoopPolicy
from shared.mongo import database, mongo_client
from shared.retry import Backoff
from shared.service import ConsumeService, build_consume_service, loop_liveness


@dataclass
class Sla:
    """A built sla: the consume service and its HTTP app."""

    service: ConsumeService
    web: FastAPI


def build(settings: Settings, **consumer_overrides: Any) -> Sla:
    """Connect Mongo and Kafka and build the sla; the caller runs it and closes it."""
    client: MongoClient[dict[str, Any]] = mongo_client(
        settings.mongodb_uri, app_name=settings.service_name
    )
    db = database(client, settings.mongodb_database)
    states = StateRepository(db[settings.state_collection])
    views = CaseRepository(db[settings.cases_collection])
    views.ensure_indexes()
    metrics.reset_cases(states.all_cases())
    handler = CaseHandler(
        states=states,
        views=views,
        service=settings.service_name,
        resolved_topic=settings.topic_resolved,
        keep_event_ids=settings.keep_event_ids,
    )
    backoff = Backoff(attempts=settings.retry_attempts, base_s=settings.retry_base_s)
    service = build_consume_service(
        settings,
        group_id=settings.group_id,
        topics=[settings.topic_received, settings.topic_assigned, settings.topic_updates],
        decode=decode,
        handle=handler.handle,
        policy=LoopPolicy(backoff=backoff, unavailable_exit_s=settings.kafka_unavailable_exit_s),
        ready={"mongo": mongo_check(client)},
        on_close=[client.close],
        **consumer_overrides,
    )
    live = loop_liveness(service, settings.live_max_age_s)
    return Sla(service, create_web_app(views, live=live, ready=service.ready))
