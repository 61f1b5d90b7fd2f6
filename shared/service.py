"""Running a consume-loop service: clients, health server beside the loop, signals, shutdown."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from shared.config import ServiceSettings
from shared.health import Check, KafkaCheck, health_routes, liveness
from shared.kafka.consumer import manual_commit_consumer
from shared.kafka.loop import ConsumeLoop, KafkaUnavailable, LoopPolicy, Outgoing
from shared.kafka.producer import idempotent_producer

log = logging.getLogger(__name__)

EXIT_KAFKA_UNAVAILABLE = 3


@dataclass
class ConsumeService:
    """A built consumer: run `loop`, answer readiness with `ready`, call `close()` at the end."""

    loop: ConsumeLoop[Any]
    ready: dict[str, Check]
    close: Callable[[], None]


def build_consume_service(
    settings: ServiceSettings,
    *,
    group_id: str,
    topics: Sequence[str],
    decode: Callable[[bytes], Any],
    handle: Callable[[Any], Iterable[Outgoing]],
    policy: LoopPolicy | None = None,
    ready: Mapping[str, Check] | None = None,
    on_close: Sequence[Callable[[], None]] = (),
    **consumer_overrides: Any,
) -> ConsumeService:
    """Connect a consumer and a producer around `handle`; readiness checks Kafka plus `ready`.

    `close()` flushes the producer, then lets go of the clients and runs `on_close` (e.g. a
    Mongo client's close) in order.
    """
    name = settings.service_name
    consumer = manual_commit_consumer(
        settings.kafka, group_id=group_id, topics=topics, client_id=name, **consumer_overrides
    )
    producer = idempotent_producer(settings.kafka, client_id=name)
    policy = policy or LoopPolicy(unavailable_exit_s=settings.kafka_unavailable_exit_s)
    loop: ConsumeLoop[Any] = ConsumeLoop(
        consumer, producer, service=name, decode=decode, handle=handle, policy=policy
    )
    kafka_check = KafkaCheck(settings.kafka)

    def close() -> None:
        producer.flush()
        producer.close()
        consumer.close()
        kafka_check.close()
        for release in on_close:
            release()

    return ConsumeService(loop, {"kafka": kafka_check, **(ready or {})}, close)


def loop_liveness(service: ConsumeService, max_age_s: float = 30.0) -> dict[str, Check]:
    """The liveness check of a consume service: its loop went round within `max_age_s`."""
    return {"loop": liveness(lambda: service.loop.last_iteration, max_age_s)}


def run_consume_service(
    service: ConsumeService,
    *,
    host: str,
    port: int,
    live_max_age_s: float = 30.0,
    http_app: FastAPI | None = None,
) -> int:
    """Serve HTTP on `host:port`, run the loop until SIGTERM/SIGINT, then close; return the
    process exit code (non-zero when Kafka stayed away, so the supervisor restarts us).

    Without `http_app` the HTTP server is /livez, /readyz and /metrics alone; a service with an
    API passes its app (which serves those three too). uvicorn runs it in a thread beside the
    loop and leaves signals to the main thread, where the loop handles them.
    """
    loop = service.loop
    if http_app is None:
        live = loop_liveness(service, live_max_age_s)
        http_app = FastAPI()
        http_app.include_router(health_routes(live=lambda: live, ready=lambda: service.ready))
    http = _ThreadedUvicorn(http_app, host, port)
    http.start()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping", extra={"signal": signal.Signals(signum).name})
        loop.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        loop.run()
        return 0
    except KafkaUnavailable as exc:
        log.critical("exiting: %s", exc)
        return EXIT_KAFKA_UNAVAILABLE
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
