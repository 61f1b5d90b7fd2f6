"""Wiring: Mongo repositories, the case handler, the alert timer and the HTTP app around the
shared consume loop.

Kafka away: the loop holds the batch, pauses its partitions and retries; Mongo away: reading or
writing the batch's cases fails, and the loop does the same. Nothing is dead-lettered for an
outage, nothing is committed before the states and views are stored; `/readyz` names what is
away. Records waiting longer than SLA_STALL_LIMIT_S end the process with exit code 3. The timer
work (alerts every `SLA_TICK_INTERVAL_S`, the held-event sweep less often) runs between batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from pymongo import MongoClient

from services.sla import metrics
from services.sla.alerting import AlertTicker, Assignment, Topics
from services.sla.calendar import Calendars
from services.sla.config import Settings
from services.sla.handler import CaseHandler
from services.sla.held import HeldCases
from services.sla.loading import PartitionLoader
from services.sla.quality import Judge
from services.sla.repository import CaseRepository, ReplyRepository, StateRepository
from services.sla.timers import TimerHeap
from services.sla.timing import Timing
from services.sla.web import create_web_app
from services.sla.writer import CaseWriter
from shared.events import decode
from shared.health import mongo_check
from shared.kafka.records import Result
from shared.mongo import database, mongo_client
from shared.retry import MONGO
from shared.service import ConsumeService, build_consume_service

# Where versions before 2026-11-29 kept the case states, apart from their views.
LEGACY_STATES = "case_state"
# The held-event sweep reads the expired cases it knows in memory; every 30 s is soon enough.
HELD_SWEEP_EVERY_S = 30.0


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
    # One document per case: its state and its view; and its timer, apart (repository.py).
    states = StateRepository(db[settings.cases_collection], db[settings.timers_collection])
    views = CaseRepository(db[settings.cases_collection])
    replies = ReplyRepository(db[settings.replies_collection])
    states.ensure_indexes()
    replies.ensure_indexes()
    if LEGACY_STATES in db.list_collection_names():
        states.adopt(db[LEGACY_STATES])
    handler, ticker, assignment = _parts(settings, states, Judge(settings.followups, replies))
    topics = settings.topics
    sweep = _every(HELD_SWEEP_EVERY_S, handler.sweep_held)
    service = build_consume_service(
        settings,
        topics=[topics.received, topics.assigned, topics.updates],
        decode=decode,
        handle=handler.handle_batch,
        tick=lambda: [*ticker.tick(), *sweep()],
        ready={"mongo": mongo_check(client)},
        dependencies=(MONGO,),
        on_close=[client.close],
        listener=assignment,
        **consumer_overrides,
    )
    keys = {opd: key.get_secret_value() for opd, key in settings.opd_keys.items()}
    web = create_web_app(views, live=service.live, ready=service.ready, opd_keys=keys)
    return Sla(service, web)


def _parts(
    settings: Settings, states: StateRepository, judge: Judge
) -> tuple[CaseHandler, AlertTicker, Assignment]:
    """The handler and the alert timer, sharing one writer, timer heap and backlog."""
    timing = Timing(settings.clocks, Calendars(settings.calendar))
    timers, held, backlog, assignment = TimerHeap(), HeldCases(), metrics.Backlog(), Assignment()
    held_max_age = timedelta(seconds=settings.held_max_age_s)
    loader = PartitionLoader(
        source=states, timers=timers, held=held, backlog=backlog, slice_s=settings.load_slice_s
    )
    writer = CaseWriter(
        states=states, timing=timing, timers=timers, held=held, backlog=backlog, loader=loader,
        held_max_age=held_max_age, clock=_utcnow,
    )  # fmt: skip
    handler = CaseHandler(
        states=states, writer=writer, held=held, judge=judge,
        service=settings.service_name, resolved_topic=settings.topics.resolved,
        keep_event_ids=settings.keep_event_ids, resolved_version=settings.resolved_version,
        held_max_age=held_max_age,
    )  # fmt: skip
    ticker = AlertTicker(
        states=states, writer=writer, timing=timing, timers=timers, held=held, backlog=backlog,
        loader=loader, assignment=assignment, service=settings.service_name, clock=_utcnow,
        topics=Topics(alerts=settings.topics.alerts, updates=settings.topics.updates),
    )  # fmt: skip
    return handler, ticker, assignment


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _every(seconds: float, work: Callable[[], list[Result]]) -> Callable[[], list[Result]]:
    """Run `work` at most once per `seconds` (the loop's tick may come more often)."""
    next_at = 0.0

    def maybe() -> list[Result]:
        nonlocal next_at
        if time.monotonic() < next_at:
            return []
        next_at = time.monotonic() + seconds
        return work()

    return maybe
