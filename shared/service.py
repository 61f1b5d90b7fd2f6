"""Running a consume-loop service: clients, health server beside the loop, signals, shutdown.

Every consumer (router, sla, publisher) is built and run through here, so they share one
skeleton: settings -> `build_consume_service` -> `run_consume_service`.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI
from kafka import ConsumerRebalanceListener, KafkaProducer

from shared import metrics
from shared.config import ConsumerSettings
from shared.health import Check, KafkaCheck, health_routes
from shared.kafka.consumer import manual_commit_consumer
from shared.kafka.loop import ConsumeLoop, LoopPolicy, Stalled, Tick
from shared.kafka.producer import idempotent_producer
from shared.kafka.records import BatchHandler
from shared.retry import KAFKA, Backoff

log = logging.getLogger(__name__)

# The documented exit: records waited longer than STALL_LIMIT_S without a commit.
EXIT_STALLED = 3


@dataclass
class ConsumeService:
    """A built consumer: run `loop`; `live` and `ready` are its health checks."""

    loop: ConsumeLoop[Any]
    live: dict[str, Check]
    ready: dict[str, Check]
    close: Callable[[], None]


def loop_policy(settings: ConsumerSettings) -> LoopPolicy:
    """Turn the shared consumer settings into the loop's policy (the one place this happens)."""
    return LoopPolicy(
        backoff=Backoff(base_s=settings.retry_base_s, cap_s=settings.retry_cap_s),
        stall_limit_s=settings.stall_limit_s,
        tick_interval_s=settings.tick_interval_s,
    )


def build_consume_service(
    settings: ConsumerSettings,
    *,
    topics: Sequence[str],
    decode: Callable[[bytes], Any],
    handle: BatchHandler[Any],
    tick: Tick | None = None,
    ready: Mapping[str, Check] | None = None,
    dependencies: Sequence[str] = (),
    on_close: Sequence[Callable[[], None]] = (),
    listener: ConsumerRebalanceListener | None = None,
    transactional_id: str | None = None,
    **consumer_overrides: Any,
) -> ConsumeService:
    """Connect a consumer and a (lazily made) producer around `handle`.

    Readiness: Kafka answers, every check in `ready`, and no dependency the loop waits for.
    `dependencies` names what the handler uses besides Kafka, for the zeroed metrics.
    `close()` flushes the producer, then lets go of the clients and runs `on_close` in order.
    `listener` hears of partition assignments (e.g. to rebuild per-partition timers).
    With `transactional_id` (stable per instance, unique across replicas) every batch's sends
    and offsets commit in one Kafka transaction (`shared.kafka.transactions`).
    """
    name = settings.service_name
    consumer = manual_commit_consumer(
        settings.kafka,
        group_id=settings.group_id,
        topics=topics,
        client_id=name,
        listener=listener,
        **{"max_poll_records": settings.max_poll_records, **consumer_overrides},
    )

    def make_producer() -> KafkaProducer:
        if transactional_id is None:
            return idempotent_producer(settings.kafka, client_id=name)
        return idempotent_producer(
            settings.kafka, client_id=name, transactional_id=transactional_id
        )

    loop: ConsumeLoop[Any] = ConsumeLoop(
        consumer, make_producer, service=name, decode=decode, handle=handle,
        policy=loop_policy(settings), tick=tick, transactional=transactional_id is not None,
    )  # fmt: skip
    metrics.start_at_zero(name, topics, (KAFKA, *dependencies))
    kafka_check = KafkaCheck(settings.kafka)

    def close() -> None:
        loop.close()
        consumer.close()
        kafka_check.close()
        for release in on_close:
            release()

    live = {"loop": loop.progress.live_check(settings.live_max_age_s)}
    checks: dict[str, Check] = {"kafka": kafka_check, **(ready or {})}
    checks["dependencies"] = loop.progress.ready_check
    return ConsumeService(loop, live, checks, close)


def health_app(service: ConsumeService) -> FastAPI:
    """The HTTP app of a consumer without an API of its own: /livez, /readyz, /metrics."""
    app = FastAPI()
    app.include_router(health_routes(live=lambda: service.live, ready=lambda: service.ready))
    return app


def run_consume_service(
    service: ConsumeService, *, host: str, port: int, http_app: FastAPI | None = None
) -> int:
    """Serve HTTP on `host:port`, run the loop until SIGTERM/SIGINT, then close; return the
    process exit code: EXIT_STALLED when records waited too long, so the supervisor restarts us.

    uvicorn runs `http_app` (default: the health routes alone) in a thread beside the loop and
    leaves signals to the main thread, where the loop handles them.
    """
    loop = service.loop
    http = _ThreadedUvicorn(http_app or health_app(service), host, port)
    http.start()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping", extra={"signal": signal.Signals(signum).name})
        loop.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        loop.run()
        return 0
    except Stalled as exc:
        log.critical("exiting: %s", exc)
        return EXIT_STALLED
    finally:
        http.stop()
        service.close()  # the loop committed its last finished batch; flush and let go


class _ThreadedUvicorn:
    """An ASGI app served by uvicorn in a background thread."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_config=None, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="http", daemon=True)

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Finish the requests under way and stop."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
