"""Wiring the consumer: the rules store and the router around the shared consume service.

Kafka or Mongo away (the routed cases and the triage queue are written after each batch's sends,
before its commit): the loop holds the batch and retries; after STALL_LIMIT_S without progress it
exits 3 for the supervisor to restart it. Nothing is committed that was not sent and stored.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from fastapi import FastAPI
from kafka.errors import KafkaError

from services.router.api import AdminApi, Admins, admin_app
from services.router.cases import MongoCases
from services.router.config import Settings
from services.router.directory import OpdDirectory, load_directory
from services.router.handler import Router
from services.router.loading import ConfigFileError
from services.router.store import RulesStore
from services.router.triage import TriageStore
from shared.events import decode
from shared.health import health_routes
from shared.kafka.producer import idempotent_producer
from shared.kafka.records import Outgoing
from shared.retry import MONGO
from shared.service import ConsumeService, build_consume_service


def build_store(
    settings: Settings, existing_topics: Callable[[], Collection[str]] | None = None
) -> RulesStore:
    """Return the rules store, failing fast (ConfigFileError) when the files are invalid.

    With `existing_topics`, a directory that names an OPD topic the cluster does not have is
    refused like an invalid file: dispatching to it could never succeed (the loop would hold
    the batch until it stalls), so the old rule set stays in use.
    """
    check = _topics_declared(settings, existing_topics) if existing_topics else None
    store = RulesStore(
        settings.rules_file,
        settings.opd_file,
        check_interval_s=settings.rules_check_interval_s,
        check=check,
    )
    store.current()
    return store


def _topics_declared(
    settings: Settings, existing_topics: Callable[[], Collection[str]]
) -> Callable[[OpdDirectory], None]:
    def check(directory: OpdDirectory) -> None:
        try:
            existing = existing_topics()
        except KafkaError as exc:  # refused, not guessed: save the file again once Kafka is back
            raise ConfigFileError(f"cannot check the OPD topics: {exc}") from exc
        wanted = {settings.topics.opd(code) for code in directory.codes}
        missing = sorted(wanted - set(existing))
        if missing:
            named = ", ".join(missing[:5]) + (
                f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            )
            raise ConfigFileError(f"{len(missing)} OPD topics not declared on the cluster: {named}")

    return check


def build_service(
    settings: Settings,
    store: RulesStore,
    triage: TriageStore | None = None,
    cases: MongoCases | None = None,
    **consumer_overrides: Any,
) -> ConsumeService:
    """Build the consumer, producer and loop for `settings`; ready when the rules are loaded.
    With `triage`, the cases sent to a triage desk are stored in its queue; with `cases`, every
    routed case is kept and complaints.updates is read too, to route returned cases again."""
    topics = [settings.topics.received] + ([settings.topics.updates] if cases else [])
    return build_consume_service(
        settings,
        topics=topics,
        decode=decode,
        handle=Router(settings, store, cases, triage).handle,
        ready={"rules": store.ready_check},
        dependencies=[MONGO] if cases or triage else [],
        transactional_id=settings.transactional_id if settings.transactional else None,
        **{"session_timeout_ms": settings.session_timeout_ms, **consumer_overrides},
    )


def build_admin_app(
    settings: Settings,
    service: ConsumeService,
    store: RulesStore,
    triage: TriageStore,
    cases: MongoCases | None = None,
) -> FastAPI:
    """The router's HTTP app: health routes and the coordinator API, sending with its own
    idempotent producer (an action is one request, not a consumed batch)."""
    producer = idempotent_producer(settings.kafka, client_id=f"{settings.service_name}-admin")

    def send(records: Sequence[Outgoing]) -> None:
        futures = [producer.send(r.topic, key=r.key.encode(), value=r.value,
                                 headers=list(r.headers)) for r in records]  # fmt: skip
        for future in futures:
            future.get(timeout=30)

    api = AdminApi(
        admins=Admins(keys=settings.admin_users, desks=settings.admin_desks),
        store=triage,
        cases=cases,
        send=send,
        topics=settings.topics,
        opd_codes=lambda: load_directory(settings.opd_file).codes,  # rare: read when asked
    )
    health = health_routes(live=lambda: service.live, ready=lambda: service.ready)
    return admin_app(api, health)
