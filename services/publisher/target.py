"""What every publication target shares: the ledger claim, the breaker around each call, the
per-target metrics, and the error classes the consume loop's policy keys on.

A target subclass says how to publish one claimed case (`_publish`); the base skips what the
ledger says is done, marks refusals `failed`, and lets transient errors propagate so the
loop holds the batch. Every metric carries the target's name, so LAPOR! and CKAN are told apart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from services.publisher import metrics
from services.publisher.ledger import LedgerEntry, LedgerKey, LedgerState
from services.publisher.repository import LedgerRepository
from shared.breaker import CircuitBreaker
from shared.events import CaseResolved, Envelope
from shared.events.payloads import Payload
from shared.retry import TransientError

log = logging.getLogger(__name__)
R = TypeVar("R")


class TargetUnavailable(TransientError):
    """The target could not take the request now; `certain`: it surely did not act on it."""

    def __init__(self, message: str, *, certain: bool, dependency: str | None = None) -> None:
        super().__init__(message, dependency=dependency)
        self.certain = certain


class AuthFailed(TargetUnavailable):
    """The target refused our credentials, also after they were re-read: a dependency that is
    away until an operator mends the token, never the record's fault."""


class TargetRejected(Exception):
    """The target refused the request for good (or answered in a shape we cannot read)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class BreakerOpen(TransientError):
    """A target's circuit breaker is open: no call was made."""


class UnexpectedEvent(TypeError):
    """Something other than a CaseResolved arrived on the resolved-cases topic."""


class Skip(Exception):
    """Nothing to publish to this target for this case (e.g. confidential to the catalogue)."""


class TargetPublisher:
    """One target's exactly-once-in-effect publication of resolved cases."""

    name = "target"

    def __init__(
        self,
        *,
        ledger: LedgerRepository,
        breaker: CircuitBreaker,
        owner: str,
        lease: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ledger = ledger
        self._breaker = breaker
        self.owner = owner
        self.lease = lease
        self._now = clock
        self._monotonic = monotonic
        self._gauge()  # export the breaker state from the start, not after the first call

    def key_of(self, event: Envelope[Payload]) -> LedgerKey:
        """Return the ledger key of the event's case at this target."""
        case = _case(event)
        return LedgerKey(
            complaint_id=event.subject, target=self.name, case_version=case.case_version
        )

    def external_id(self, key: LedgerKey) -> str:
        """Return the id the target stores our record under (what reconciliation matches)."""
        return f"{key.complaint_id}:{key.case_version}"

    def wants(self, case: CaseResolved) -> bool:
        """Whether this case goes to this target at all."""
        return True

    def handle(self, event: Envelope[Payload]) -> list[Any]:
        """Claim and publish one event (the one-at-a-time path); produce nothing."""
        key = self.key_of(event)
        entry = self.ledger.claim(
            key,
            external_id=self.external_id(key),
            owner=self.owner,
            lease=self.lease,
            now=self._now(),
        )
        self.publish(event, entry)
        return []

    def publish(self, event: Envelope[Payload], entry: LedgerEntry) -> None:
        """Publish a claimed entry unless the ledger says it is done."""
        case = _case(event)
        ctx = {"complaint_id": event.subject, "correlation_id": event.correlation_id}
        if entry.state is LedgerState.SENT:
            metrics.SENDS.labels(self.name, "skipped_duplicate").inc()
            log.info("already published, skipping", extra={**ctx, "remote_id": entry.remote_id})
            return
        metrics.LEDGER_TRANSITIONS.labels(self.name, LedgerState.PENDING.value).inc()
        if entry.attempts > 1:
            metrics.RETRIES.labels(self.name).inc()
        metrics.IN_FLIGHT.labels(self.name).inc()
        try:
            self._publish(entry, case, ctx)
        except (TargetRejected, ValueError) as exc:
            self._fail(entry.key, exc, ctx)
            raise
        finally:
            metrics.IN_FLIGHT.labels(self.name).dec()
        self.ledger.mark_sent(entry.key, now=self._now())
        metrics.SENDS.labels(self.name, "sent").inc()
        metrics.LEDGER_TRANSITIONS.labels(self.name, LedgerState.SENT.value).inc()
        log.info("published", extra={**ctx, "target": self.name})

    def _publish(self, entry: LedgerEntry, case: CaseResolved, ctx: Any) -> None:
        raise NotImplementedError

    def call(self, key: LedgerKey, call: str, send: Callable[[], R]) -> R:
        """Make one call through the breaker, timing it and recording transient failures."""
        if not self._breaker.allow(self._monotonic()):
            metrics.SENDS.labels(self.name, "breaker_open").inc()
            self._gauge()
            raise BreakerOpen(f"{self.name} circuit breaker is open", dependency=self.name)
        started = time.perf_counter()
        try:
            result = send()
        except TargetUnavailable as exc:
            self._breaker.record_failure(self._monotonic())
            metrics.SENDS.labels(self.name, "transient_error").inc()
            if isinstance(exc, AuthFailed):
                metrics.AUTH_FAILURES.labels(self.name).inc()
            self.ledger.record_transient(key, error=str(exc), certain=exc.certain, now=self._now())
            raise
        except TargetRejected:
            self._breaker.record_success()  # it answered: the target is up
            raise
        except BaseException:
            self._breaker.release()  # e.g. Mongo failed around the call: no verdict on the target
            raise
        finally:
            metrics.SEND_SECONDS.labels(self.name, call).observe(time.perf_counter() - started)
            self._gauge()
        self._breaker.record_success()
        return result

    def now(self) -> datetime:
        """Return the current time from the injected clock."""
        return self._now()

    def _fail(self, key: LedgerKey, exc: Exception, ctx: Any) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        self.ledger.mark_failed(key, reason=reason, now=self._now())
        outcome = "rejected" if isinstance(exc, TargetRejected) else "unmappable"
        metrics.SENDS.labels(self.name, outcome).inc()
        metrics.DEAD.labels(self.name).inc()
        metrics.LEDGER_TRANSITIONS.labels(self.name, LedgerState.FAILED.value).inc()
        log.error(
            "publication failed for good", extra={**ctx, "target": self.name, "reason": reason}
        )

    def _gauge(self) -> None:
        metrics.BREAKER_STATE.labels(self.name).set(self._breaker.state(self._monotonic()))


def _case(event: Envelope[Payload]) -> CaseResolved:
    if not isinstance(event.data, CaseResolved):
        raise UnexpectedEvent(f"expected a CaseResolved, got {event.type}")
    return event.data
