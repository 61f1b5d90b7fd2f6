"""Running a consume-loop service: health server beside the loop, signals, clean shutdown."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

from shared.health import Check, HealthServer, liveness
from shared.kafka.loop import ConsumeLoop, KafkaUnavailable

log = logging.getLogger(__name__)

EXIT_KAFKA_UNAVAILABLE = 3


def run_consume_service(
    loop: ConsumeLoop[Any],
    *,
    host: str,
    port: int,
    ready: Mapping[str, Check],
    close: Callable[[], None],
    live_max_age_s: float = 30.0,
) -> int:
    """Serve health on `host:port`, run `loop` until SIGTERM/SIGINT, then close; return the
    process exit code (non-zero when Kafka stayed away, so the supervisor restarts us)."""
    live = {"loop": liveness(lambda: loop.last_iteration, live_max_age_s)}
    health = HealthServer(host, port, live=live, ready=ready)
    health.start()

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
        health.stop()
        close()  # the loop committed its last finished batch; flush the producer and let go


def exit_with(code: int) -> None:
    """Leave the process with `code`."""
    sys.exit(code)
