"""Webhook senders: one thread per OPD with a webhook, so one OPD's outage never holds another's.

Each thread takes its OPD's pending deliveries in order and sends the first; it moves to the
next only when that one is delivered (or refused for good, see `delivery.py`). A failure that
may pass holds the queue: the thread waits a capped, jittered backoff (`shared.retry.Backoff`)
and the OPD's circuit breaker (`shared.breaker`) stops calls after repeated failures, letting one
trial through per cool-down. Mongo away: the thread logs it and waits the same backoff; the
deliveries are stored, so nothing is lost, only late. The consumer wakes the thread when it
queued something for its OPD; otherwise it looks every `poll_interval_s`.

Every request carries the CloudEvent as its body, `Idempotency-Key: <event id>` (a receiver
that saw the key answers 2xx again and does nothing: the gateway may resend after a timeout
whose request in fact arrived) and the signature headers of `signing.py`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from pymongo.errors import PyMongoError

from services.opd_gateway import metrics
from services.opd_gateway.delivery import Delivery, Verdict, attempted, in_order, verdict
from services.opd_gateway.repository import DeliveryRepository
from services.opd_gateway.signing import signature_headers
from shared.breaker import CircuitBreaker
from shared.retry import Backoff

log = logging.getLogger(__name__)
IDEMPOTENCY_KEY = "Idempotency-Key"


@dataclass(frozen=True)
class Webhook:
    """One OPD's endpoint and its secrets, the signing one first."""

    opd_code: str
    url: str
    secrets: Sequence[str]


class OpdSender:
    """Sends one OPD's deliveries, in order, from its own thread."""

    def __init__(
        self,
        webhook: Webhook,
        *,
        deliveries: DeliveryRepository,
        http: httpx.Client,
        breaker: CircuitBreaker,
        backoff: Backoff,
        poll_interval_s: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.webhook = webhook
        self._deliveries = deliveries
        self._http = http
        self._breaker = breaker
        self._backoff = backoff
        self._poll_s = poll_interval_s
        self._now = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._failures = 0
        self._thread = threading.Thread(target=self._run, name=f"webhook-{webhook.opd_code}")

    def start(self) -> None:
        """Start sending in the background."""
        self._thread.start()

    def wake(self) -> None:
        """Look for new deliveries now."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the call under way and stop."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            if self._drain_safely():  # held: only stopping cuts the backoff short
                self._stop.wait(self._backoff.delay(self._failures))
            else:
                self._wake.wait(self._poll_s)

    def _drain_safely(self) -> bool:
        """Send what is pending; return True when the queue is held by a failure."""
        try:
            return self.drain()
        except PyMongoError as exc:
            self._failures += 1
            log.warning("delivery store unavailable; retrying", extra=_ctx(self, exc))
            return True
        except Exception as exc:  # a bug must not end the thread: the OPD's queue would stop
            self._failures += 1
            log.exception("delivery round failed; retrying", extra=_ctx(self, exc))
            return True

    def drain(self) -> bool:
        """Send the OPD's pending deliveries in order until one fails; True when held."""
        pending = in_order(self._deliveries.pending(self.webhook.opd_code))
        metrics.PENDING.labels(self.webhook.opd_code).set(len(pending))
        for delivery in pending:
            if self._stop.is_set():
                return False
            if self.send(delivery) is Verdict.RETRY:
                self._failures += 1
                return True
            self._failures = 0
        metrics.PENDING.labels(self.webhook.opd_code).set(0)
        return False

    def send(self, delivery: Delivery) -> Verdict:
        """Make one attempt (unless the breaker is open) and store its outcome."""
        opd = self.webhook.opd_code
        if not self._breaker.allow(time.monotonic()):
            metrics.DELIVERIES.labels(opd, "breaker_open").inc()
            self._gauge()
            return Verdict.RETRY
        status, error, result = self._post(delivery)
        self._record(result)
        self._deliveries.save(
            attempted(delivery, at=self._now(), status=status, error=error, verdict=result)
        )
        outcome = "unreachable" if status is None else result.value
        metrics.DELIVERIES.labels(opd, outcome).inc()
        return result

    def _post(self, delivery: Delivery) -> tuple[int | None, str | None, Verdict]:
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/cloudevents+json",
            IDEMPOTENCY_KEY: delivery.event_id,
            "X-Aduan-Event-Type": delivery.event_type,
            "X-Aduan-Delivery-Attempt": str(delivery.attempts + 1),
            **signature_headers(self.webhook.secrets, int(time.time()), body),
        }
        started = time.perf_counter()
        try:
            answer = self._http.post(self.webhook.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:300], Verdict.RETRY
        finally:
            elapsed = time.perf_counter() - started
            metrics.DELIVERY_SECONDS.labels(self.webhook.opd_code).observe(elapsed)
        result = verdict(answer.status_code)
        error = None if result is Verdict.DELIVERED else answer.text[:300]
        return answer.status_code, error, result

    def _record(self, result: Verdict) -> None:
        if result is Verdict.RETRY:
            self._breaker.record_failure(time.monotonic())
        else:
            self._breaker.record_success()  # it answered: the receiver is up
        self._gauge()

    def _gauge(self) -> None:
        state = self._breaker.state(time.monotonic())
        metrics.BREAKER_STATE.labels(self.webhook.opd_code).set(state)


def _ctx(sender: OpdSender, exc: BaseException) -> dict[str, str]:
    return {"opd": sender.webhook.opd_code, "error": f"{type(exc).__name__}: {exc}"[:300]}


class Senders:
    """Every OPD's sender; the consumer wakes the ones it queued deliveries for."""

    def __init__(self, senders: Sequence[OpdSender]) -> None:
        self._by_opd = {s.webhook.opd_code: s for s in senders}

    def start(self) -> None:
        """Start every sender's thread."""
        for sender in self._by_opd.values():
            sender.start()

    def wake(self, opds: set[str]) -> None:
        """Wake the senders of these OPDs."""
        for opd in opds:
            if opd in self._by_opd:
                self._by_opd[opd].wake()

    def stop(self) -> None:
        """Stop every sender (each finishes its call under way)."""
        for sender in self._by_opd.values():
            sender.stop()
