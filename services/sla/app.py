"""The faust app: the `cases` table, the one case agent over three topics, and its web pages."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import faust

from services.sla import metrics
from services.sla.case import Case
from services.sla.config import Settings
from services.sla.handler import CaseHandler, Headers, Incoming, Send
from services.sla.repository import CaseRepository
from services.sla.web import register_views
from shared.health import Check
from shared.retry import Backoff

log = logging.getLogger(__name__)

HEARTBEAT_S = 5.0


@dataclass
class Heartbeat:
    """When the worker's event loop last went round (a faust timer beats it)."""

    at: float = field(default_factory=time.monotonic)

    def beat(self) -> None:
        """Record that the loop is running."""
        self.at = time.monotonic()


@dataclass(frozen=True)
class SlaApp:
    """The faust app and the parts tests and `__main__` reach for."""

    app: faust.App
    table: Any  # faust.Table: a MutableMapping of complaint id -> case state
    agent: Any  # faust.types.AgentT
    handler: CaseHandler
    heartbeat: Heartbeat


def faust_app(settings: Settings) -> faust.App:
    """Configure the faust app from settings (no topics, tables or agents yet)."""
    servers = [s.strip() for s in settings.kafka.bootstrap_servers.split(",") if s.strip()]
    return faust.App(
        settings.app_id,
        broker=[f"kafka://{server}" for server in servers],
        # The memory store is rebuilt from the table's changelog topic on every start.
        store="memory://",
        autodiscover=False,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        topic_disable_leader=True,
        # The table's changelog codecs; the complaint topics are read and written raw.
        key_serializer="json",
        value_serializer="json",
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.broker_session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.broker_session_timeout_s / 3),
        producer_acks=-1,
        producer_request_timeout=settings.producer_request_timeout_s,
        datadir=str(settings.data_dir),
        web_enabled=True,
        web_bind=settings.http_host,
        web_host=settings.http_host,
        web_port=settings.http_port,
        # faust's own pages would expose table contents (/table) and internals: off.
        web_router_enabled=False,
        web_tables_enabled=False,
        web_graph_enabled=False,
        web_stats_enabled=False,
    )


def create_app(
    settings: Settings,
    *,
    repository: CaseRepository,
    ready: Mapping[str, Check],
    app: faust.App | None = None,
    send: Send | None = None,
) -> SlaApp:
    """Build the sla's faust app; tests pass their own `app` and `send` (faust's
    `agent.test_context()` runs the agent without starting the producer)."""
    app = app or faust_app(settings)
    source = app.topic(
        settings.topic_received,
        settings.topic_assigned,
        settings.topic_updates,
        key_serializer="raw",
        value_serializer="raw",
    )
    table = app.Table(
        "cases",
        default=None,
        partitions=settings.topic_partitions,
        # No key/value types: faust's typed restore calls `type.from_data` and fails on dict;
        # the app's json codecs give back str keys and dict values.
    )

    async def produce(topic: str, key: bytes | None, value: bytes, headers: Headers) -> None:
        await app.producer.send_and_wait(topic, key, value, None, None, list(headers))

    handler = CaseHandler(
        table=table,
        repository=repository,
        send=send or produce,
        service=settings.service_name,
        resolved_topic=settings.topic_resolved,
        keep_event_ids=settings.keep_event_ids,
        backoff=Backoff(attempts=settings.mongo_attempts, base_s=settings.mongo_backoff_s),
    )
    heartbeat = Heartbeat()

    async def cases(stream: Any) -> None:
        """Apply every complaint event to its case; the handler dead-letters failures.

        Acks are manual: faust acks an event in a `finally`, even when the agent is cancelled,
        so only an explicit ack after the handler returned may let its offset be committed.
        """
        manual = stream.noack()
        async for event in manual.events():
            try:
                await handler.handle(incoming(event))
            except Exception as exc:  # the dead-letter send failed: Kafka is away
                await _stop_without_ack(app, exc)
            await manual.ack(event)
            heartbeat.beat()

    agent = app.agent(source, name="cases")(cases)

    @table.on_recover
    async def recount() -> None:
        metrics.reset_cases(Case.from_state(v) for v in table.values() if v)

    @app.timer(HEARTBEAT_S)  # type: ignore[untyped-decorator]
    async def beat() -> None:
        heartbeat.beat()

    live = {"loop": _alive(heartbeat, agent, settings.live_max_age_s)}
    ready = {**ready, "worker": _worker_ready(app)}
    register_views(app, repository=repository, live=live, ready=ready)
    return SlaApp(app=app, table=table, agent=agent, handler=handler, heartbeat=heartbeat)


def incoming(event: Any) -> Incoming:
    """Turn a faust event into the handler's record."""
    message = event.message
    raw_headers = message.headers or []
    pairs = raw_headers.items() if isinstance(raw_headers, Mapping) else raw_headers
    return Incoming(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value if message.value is not None else b"",
        headers=tuple((str(k), bytes(v or b"")) for k, v in pairs),
    )


async def _stop_without_ack(app: faust.App, exc: Exception) -> None:
    """Crash the worker and never return: returning would ack the record we could not park."""
    log.critical("cannot dead-letter a record, stopping the worker", exc_info=exc)
    await app.crash(exc)
    await asyncio.Event().wait()


def _worker_ready(app: faust.App) -> Check:
    """Ready once the table is recovered and no rebalance is under way: records that arrive
    earlier wait in Kafka, and the web server (up first) must not say ready before that."""

    def check() -> None:
        if app.rebalancing or not app.tables.recovery.completed.is_set():  # type: ignore[attr-defined]
            raise RuntimeError("recovering the cases table or rebalancing")

    return check


def _alive(heartbeat: Heartbeat, agent: Any, max_age_s: float) -> Check:
    def check() -> None:
        age = time.monotonic() - heartbeat.at
        if age > max_age_s:
            raise RuntimeError(f"event loop last went round {age:.0f}s ago")
        crashed = [actor for actor in getattr(agent, "_actors", ()) if actor.crashed]
        if crashed:
            raise RuntimeError(f"agent crashed: {crashed[0].crash_reason!r}")

    return check
