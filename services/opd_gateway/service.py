"""Wiring: Mongo repositories, the handler, the webhook senders, the inbox app and the shared
consume loop, built from settings.

What happens when a dependency is away:
- Kafka away: the loop holds its batch and retries (nothing committed); the inbox answers 503
  (its producer gets no acknowledgement) and accepts nothing; webhooks already queued go on.
- Mongo away: the loop holds its batch (cases and deliveries cannot be stored); the inbox
  answers 503; the senders wait with backoff. Nothing queued is lost, only late.
- An OPD's receiver away: only that OPD's sender waits (breaker, backoff); its queue keeps
  filling in Mongo and drains in order when the receiver is back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from fastapi import FastAPI
from kafka import KafkaProducer
from pymongo import MongoClient

from services.opd_gateway import metrics
from services.opd_gateway.actions import Inbox
from services.opd_gateway.app import create_app
from services.opd_gateway.config import Settings
from services.opd_gateway.handler import GatewayHandler
from services.opd_gateway.repository import (
    ActionRepository,
    CaseRepository,
    DeliveryRepository,
    EarlyEventRepository,
)
from services.opd_gateway.sender import OpdSender, Senders, Webhook
from shared.breaker import CircuitBreaker
from shared.events import decode
from shared.health import mongo_check
from shared.kafka.producer import idempotent_producer
from shared.mongo import database, mongo_client
from shared.retry import MONGO, Backoff
from shared.service import ConsumeService, build_consume_service

log = logging.getLogger(__name__)


@dataclass
class Gateway:
    """A built gateway: the consume service, the inbox app, and the webhook senders."""

    service: ConsumeService
    web: FastAPI
    senders: Senders


def build(settings: Settings, **consumer_overrides: Any) -> Gateway:
    """Connect Mongo and Kafka and build the gateway; start `senders`, run `service`, close it."""
    mongo: MongoClient[dict[str, Any]] = mongo_client(
        settings.mongodb_uri, app_name=settings.service_name
    )
    db = database(mongo, settings.mongodb_database)
    cases = CaseRepository(db[settings.cases_collection])
    deliveries = DeliveryRepository(db[settings.deliveries_collection])
    actions = ActionRepository(db[settings.actions_collection])
    early = EarlyEventRepository(db[settings.early_collection], decode)
    for repository in (cases, deliveries, actions, early):
        repository.ensure_indexes()
    webhooks = webhooks_of(settings)
    http = httpx.Client(timeout=httpx.Timeout(
        settings.delivery.read_timeout_s, connect=settings.delivery.connect_timeout_s
    ))  # fmt: skip
    senders = Senders([_sender(w, settings, deliveries, http) for w in webhooks])
    metrics.start_at_zero([w.opd_code for w in webhooks])
    handler = GatewayHandler(
        cases=cases, deliveries=deliveries, early=early,
        opds=frozenset(opd.code for opd in settings.opds()),
        webhook_opds=frozenset(w.opd_code for w in webhooks),
        on_queued=senders.wake, keep_event_ids=settings.keep_event_ids,
    )  # fmt: skip
    producer = _LazyProducer(settings)
    service = build_consume_service(
        settings,
        topics=consumed_topics(settings),
        decode=decode,
        handle=handler.handle,
        ready={"mongo": mongo_check(mongo)},
        dependencies=(MONGO,),
        on_close=[senders.stop, http.close, producer.close, mongo.close],
        **consumer_overrides,
    )
    inbox = Inbox(
        cases=cases, actions=actions, producer=producer.get, updates_topic=settings.topics.updates,
        produce_timeout_s=settings.produce_timeout_s,
    )  # fmt: skip
    keys = {opd: key.get_secret_value() for opd, key in settings.inbox_keys.items()}
    web = create_app(inbox, deliveries, keys=keys, live=service.live, ready=service.ready)
    return Gateway(service, web, senders)


def consumed_topics(settings: Settings) -> list[str]:
    """The OPD topics of the registered OPDs, then the updates and resolved cases."""
    opd_topics = [settings.topics.opd(opd.code) for opd in settings.opds()]
    return [*opd_topics, settings.topics.updates, settings.topics.resolved]


def webhooks_of(settings: Settings) -> list[Webhook]:
    """The registered OPDs with a webhook URL; one without its secret fails at start-up."""
    webhooks = []
    for opd in settings.opds():
        if opd.webhook_url is None:
            continue
        secrets = settings.webhook_secrets.get(opd.code)
        if not secrets:
            raise ValueError(f"OPD {opd.code!r} has a webhook but no secret (WEBHOOK_SECRETS)")
        plain = [s.get_secret_value() for s in secrets]
        webhooks.append(Webhook(opd.code, opd.webhook_url, plain))
    return webhooks


def _sender(
    webhook: Webhook, settings: Settings, deliveries: DeliveryRepository, http: httpx.Client
) -> OpdSender:
    delivery = settings.delivery
    return OpdSender(
        webhook, deliveries=deliveries, http=http,
        breaker=CircuitBreaker(failure_threshold=delivery.breaker_failure_threshold,
                               cooldown_s=delivery.breaker_cooldown_s),
        backoff=Backoff(base_s=delivery.retry_base_s, cap_s=delivery.retry_cap_s),
        poll_interval_s=delivery.poll_interval_s,
    )  # fmt: skip


class _LazyProducer:
    """The inbox's producer, made on the first action (Kafka may be away at start-up)."""

    def __init__(self, settings: Settings) -> None:
        self._make = partial(idempotent_producer, settings.kafka, client_id="opd-gateway-inbox")
        self._producer: KafkaProducer | None = None

    def get(self) -> KafkaProducer:
        """Return the producer, making it now if needed."""
        if self._producer is None:
            self._producer = self._make()
        return self._producer

    def close(self) -> None:
        """Flush and close the producer, if one was made."""
        if self._producer is not None:
            self._producer.close(timeout=10)
