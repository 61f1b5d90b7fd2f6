"""Wiring: Mongo repositories, the case handler and its HTTP app around the shared consume loop.

Kafka away: the loop holds the batch, pauses its partitions and retries; Mongo away: reading or
writing the batch's cases fails, and the loop does the same. Nothing is dead-lettered for an
outage, nothing is committed before the states and views are stored; `/readyz` names what is
away. Records waiting longer than SLA_STALL_LIMIT_S end the process with exit code 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
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
from shared.mongo import database, mongo_client
from shared.retry import MONGO
from shared.service import ConsumeService, build_consume_service


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
    states.ensure_indexes()
    views.ensure_indexes()
    metrics.reset_cases(states.all_cases())
    handler = CaseHandler(
        states=states,
        views=views,
        service=settings.service_name,
        resolved_topic=settings.topics.resolved,
        keep_event_ids=settings.keep_event_ids,
        held_max_age=timedelta(seconds=settings.held_max_age_s),
    )
    topics = settings.topics
    service = build_consume_service(
        settings,
        topics=[topics.received, topics.assigned, topics.updates],
        decode=decode,
        handle=handler.handle_batch,
        tick=handler.sweep_held,
        ready={"mongo": mongo_check(client)},
        dependencies=(MONGO,),
        on_close=[client.close],
        **consumer_overrides,
    )
    return Sla(service, create_web_app(views, live=service.live, ready=service.ready))
