"""Wiring: the publisher's clients, targets, dispatcher and consume loop, built from settings."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import httpx
from pymongo import MongoClient
from ulid import ULID

from services.publisher import metrics
from services.publisher.attachments import AttachmentFetcher
from services.publisher.ckan import CkanClient, make_ckan_http
from services.publisher.ckan_publisher import CkanPublisher
from services.publisher.config import AttachmentUploads, HttpTarget, Settings
from services.publisher.dispatch import Dispatcher
from services.publisher.http import PerThreadClient
from services.publisher.lapor import LaporClient, make_http_client
from services.publisher.pending import PendingAges
from services.publisher.publisher import LaporPublisher
from services.publisher.repository import LedgerRepository
from services.publisher.stats import CaseStats
from services.publisher.target import TargetPublisher
from services.publisher.workdays import Calendar
from shared.breaker import CircuitBreaker
from shared.events import decode
from shared.health import mongo_check
from shared.mongo import database, mongo_client
from shared.retry import MONGO
from shared.service import ConsumeService, build_consume_service

HttpFactory = Callable[[HttpTarget, Callable[..., Any], int], Any]


def build(settings: Settings, *, http: HttpFactory | None = None) -> ConsumeService:
    """Connect everything the publisher needs; the caller runs `loop` and calls `close`.
    `http` replaces the HTTP transport (bench.publisher compares candidates)."""
    mongo: MongoClient[dict[str, Any]] = mongo_client(
        settings.mongodb_uri, app_name=settings.service_name
    )
    ledger = ledger_of(mongo, settings)
    targets, closers = build_targets(settings, ledger, http=http or thread_http)
    names = tuple(t.name for t in targets)
    metrics.start_at_zero(names)
    pending = PendingAges(names)
    for name in names:
        metrics.OLDEST_PENDING.labels(name).set_function(partial(pending.oldest_s, name))
    stats = CaseStats(database(mongo, settings.mongodb_database)[settings.stats_collection])
    stats.ensure_indexes()
    dispatcher = Dispatcher(
        targets, max_in_flight=settings.max_in_flight, pending=pending, stats=stats
    )
    return build_consume_service(
        settings,
        topics=[settings.topics.resolved],
        decode=decode,
        handle=dispatcher.handle,
        ready={"mongo": mongo_check(mongo)},
        dependencies=(MONGO, "ledger", *names),
        on_close=[dispatcher.close, *closers, mongo.close],
    )


def ledger_of(mongo: MongoClient[dict[str, Any]], settings: Settings) -> LedgerRepository:
    """Return the ledger repository, its indexes ensured."""
    ledger = LedgerRepository(
        database(mongo, settings.mongodb_database)[settings.ledger_collection]
    )
    ledger.ensure_indexes()
    return ledger


def build_targets(
    settings: Settings, ledger: LedgerRepository, *, http: HttpFactory | None = None
) -> tuple[list[TargetPublisher], list[Any]]:
    """Return the configured targets and the closers of their HTTP clients."""
    owner = f"{socket.gethostname()}/{os.getpid()}/{ULID()}"
    base = {"ledger": ledger, "owner": owner, "lease": timedelta(seconds=settings.lease_s)}
    lapor, http = settings.lapor, http or thread_http
    transport = http(lapor, make_http_client, settings.max_in_flight)
    fetcher, fetch_http = _fetcher(lapor.uploads)
    publisher = LaporPublisher(
        client=LaporClient(transport, lapor.credentials()),
        breaker=_breaker(lapor),
        mapping=lapor.mapping,
        send_follow_up=lapor.send_resolution,
        fetcher=fetcher,
        **base,
    )
    targets: list[TargetPublisher] = [publisher]
    closers: list[Any] = [transport.close, fetch_http.close]
    if settings.ckan is not None:
        ckan, close = build_ckan(settings, base, http)
        targets.append(ckan)
        closers.append(close)
    return targets, closers


def thread_http(target: HttpTarget, make: Callable[..., Any], connections: int) -> PerThreadClient:
    """One HTTP client per sending thread for `target` (`connections`: the threads' count,
    one connection each)."""
    timeouts = {"connect_s": target.connect_timeout_s, "read_s": target.read_timeout_s}
    return PerThreadClient(partial(make, target.base_url, **timeouts, pool=1))


def _fetcher(uploads: AttachmentUploads) -> tuple[AttachmentFetcher | None, PerThreadClient]:
    """The attachment fetcher (None when uploads of bytes are off) and its HTTP client: a
    client of its own, without base URL or token (the object store is not LAPOR!)."""
    timeout = httpx.Timeout(uploads.fetch_timeout_s)
    http = PerThreadClient(partial(httpx.Client, timeout=timeout, follow_redirects=True))
    if uploads.max_bytes == 0:
        return None, http
    fetcher = AttachmentFetcher(http, max_bytes=uploads.max_bytes, media_types=uploads.media_types)
    return fetcher, http


def _breaker(target: HttpTarget) -> CircuitBreaker:
    return CircuitBreaker(
        failure_threshold=target.breaker_failure_threshold, cooldown_s=target.breaker_cooldown_s
    )


def build_ckan(
    settings: Settings, base: dict[str, Any], http: HttpFactory
) -> tuple[CkanPublisher, Any]:
    """Return the catalogue target and the closer of its HTTP client."""
    ckan = settings.ckan
    assert ckan is not None
    transport = http(ckan, make_ckan_http, settings.max_in_flight)
    publisher = CkanPublisher(
        client=CkanClient(transport, ckan.credentials()),
        breaker=_breaker(ckan),
        mapping=ckan.mapping,
        calendar=Calendar(utc_offset_hours=ckan.utc_offset_hours, days_off=ckan.days_off),
        **base,
    )
    return publisher, transport.close
