"""The outbox relay's loop: a background thread of the intake process.

Why a thread inside the API process and not a consumer process of its own: it consumes no
topic. It drains the intake's own outbox (the complaints this process and its replicas stored),
so it lives and dies with the app that fills it, started and stopped by the FastAPI lifespan.
It is woken at once after each insert and otherwise polls; several replicas share the work
through per-document claims (see ComplaintRepository.claim_pending).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from pymongo.errors import PyMongoError

from services.intake import metrics
from services.intake.outbox import OutboxStore, RelayConfig, RoundResult, Sender, relay_round
from shared.retry import Backoff

log = logging.getLogger(__name__)

_COUNT_EVERY_S = 5.0


class PendingCounter(OutboxStore, Protocol):
    """An outbox store that can also count what is pending, for the gauge."""

    def count_pending(self) -> int: ...


class RelayWorker:
    """Run relay rounds until stopped; keep going (with backoff) while Kafka or Mongo is away."""

    def __init__(
        self,
        store: PendingCounter,
        connect: Callable[[], Any],
        config: RelayConfig,
        *,
        poll_s: float = 1.0,
        backoff: Backoff | None = None,
    ) -> None:
        self._store = store
        self._connect = connect  # returns a producer; may raise while Kafka is unreachable
        self._config = config
        self._poll_s = poll_s
        self._backoff = backoff or Backoff(base_s=0.5, cap_s=10.0)
        self._producer: Any = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._counted_at = -_COUNT_EVERY_S
        self.last_iteration = time.monotonic()  # read by /livez

    def start(self) -> None:
        """Start relaying in the background."""
        self._thread.start()

    def wake(self) -> None:
        """Ask for a round now: a complaint was just stored."""
        self._wake.set()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish the current round, then flush and close the producer."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout_s)
        self._close_producer(timeout_s)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self.last_iteration = time.monotonic()
            self._wake.clear()  # before the round: a wake during it triggers the next one
            result = self.run_round()
            if result.error:
                failures += 1
                self._stop.wait(max(self._poll_s, self._backoff.delay(failures)))
                continue
            failures = 0
            if result.claimed < self._config.batch_size:  # a full batch: more may be waiting
                self._wake.wait(self._poll_s)

    def run_round(self) -> RoundResult:
        """Run one round; never raise, report the trouble in the result instead."""
        if self._producer is None:
            try:
                self._producer = self._connect()
            except Exception as exc:  # Kafka unreachable: complaints wait in the outbox
                return self._failed("connect", exc)
        try:
            result = relay_round(self._store, self._sender(), self._config)
            self._update_pending_gauge()
        except PyMongoError as exc:
            return self._failed("mongo", exc)
        if result.error and result.error.startswith("flush"):
            # Drop what the producer still buffers: those complaints stay claimed and are sent
            # again when their lease ends, rather than trickling out of an old producer too.
            self._close_producer(0)
        return result

    def _update_pending_gauge(self) -> None:
        """Count pending complaints at most every few seconds: a count is a full scan on
        FerretDB, and a round runs after every insert."""
        now = time.monotonic()
        if now - self._counted_at >= _COUNT_EVERY_S:
            metrics.OUTBOX_PENDING.set(self._store.count_pending())
            self._counted_at = now

    def _sender(self) -> Sender:
        return self._producer  # type: ignore[no-any-return]

    def _failed(self, reason: str, exc: BaseException) -> RoundResult:
        metrics.OUTBOX_FAILURES.labels(reason).inc()
        log.warning("relay round failed", extra={"reason": reason, "error": str(exc)[:500]})
        return RoundResult(error=f"{reason}: {type(exc).__name__}: {exc}")

    def _close_producer(self, timeout_s: float) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=timeout_s)
            except Exception as exc:  # closing is best effort; the outbox still holds the data
                log.warning("producer close failed", extra={"error": str(exc)[:500]})
