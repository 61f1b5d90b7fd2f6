"""Publishing one resolved case to LAPOR!, exactly once in effect, through the ledger.

Order per event: claim the ledger entry (a `sent` one means already done: skip); create the
record at LAPOR! unless the ledger already holds its id; store the id at once; post the
resolution as a follow-up; mark `sent`. Transient failures propagate as TransientError for the
consume loop to retry; a refusal marks the entry `failed` and propagates as a permanent error,
which the loop dead-letters.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from services.publisher import metrics
from services.publisher.breaker import CircuitBreaker
from services.publisher.lapor import Created, LaporClient, LaporRejected, LaporUnavailable
from services.publisher.ledger import (
    LedgerEntry,
    LedgerKey,
    LedgerState,
    Step,
    may_duplicate,
    next_step,
)
from services.publisher.mapping import (
    LaporMapping,
    MappingError,
    external_id,
    to_lapor_complaint,
    to_lapor_follow_up,
)
from services.publisher.repository import LedgerRepository
from shared.events import CaseResolved, Envelope
from shared.events.payloads import Payload
from shared.kafka.loop import Outgoing
from shared.retry import TransientError

log = logging.getLogger(__name__)

TARGET = "lapor"

R = TypeVar("R")
_REMEMBERED = 1_000  # created ids kept in memory, see _created


class BreakerOpen(TransientError):
    """The target's circuit breaker is open: no call was made."""

    dependency = TARGET


class UnexpectedEvent(TypeError):
    """Something other than a CaseResolved arrived on the resolved-cases topic."""


class LaporPublisher:
    """The consume loop's handler for `complaints.resolved`."""

    def __init__(
        self,
        *,
        ledger: LedgerRepository,
        client: LaporClient,
        breaker: CircuitBreaker,
        mapping: LaporMapping,
        send_follow_up: bool,
        owner: str,
        lease: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ledger = ledger
        self._client = client
        self._breaker = breaker
        self._mapping = mapping
        self._send_follow_up = send_follow_up
        self._owner = owner
        self._lease = lease
        self._now = clock
        self._monotonic = monotonic
        # Ids LAPOR! gave us in this process: if storing one in Mongo fails, the retry uses
        # it instead of creating the record a second time.
        self._created: OrderedDict[LedgerKey, Created] = OrderedDict()
        self._gauge()  # export the breaker state from the start, not after the first call

    def handle(self, event: Envelope[Payload]) -> list[Outgoing]:
        """Publish the case in `event` unless the ledger says it is done; produce nothing."""
        case = event.data
        if not isinstance(case, CaseResolved):
            raise UnexpectedEvent(f"expected a CaseResolved, got {event.type}")
        key = LedgerKey(complaint_id=event.subject, target=TARGET, case_version=case.case_version)
        ctx = {"complaint_id": key.complaint_id, "correlation_id": event.correlation_id}
        entry = self._ledger.claim(
            key,
            external_id=external_id(key.complaint_id, key.case_version),
            owner=self._owner,
            lease=self._lease,
            now=self._now(),
        )
        step = next_step(entry, send_follow_up=self._send_follow_up)
        if step is Step.SKIP:
            metrics.SENDS.labels(TARGET, "skipped_duplicate").inc()
            log.info("already published, skipping", extra={**ctx, "remote_id": entry.remote_id})
            return []
        metrics.LEDGER_TRANSITIONS.labels(TARGET, LedgerState.PENDING.value).inc()
        try:
            self._publish(entry, case, step, ctx)
        except (LaporRejected, MappingError) as exc:
            self._fail(key, exc, ctx)
            raise
        return []

    def _publish(self, entry: LedgerEntry, case: CaseResolved, step: Step, ctx: Any) -> None:
        key, remote_id = entry.key, entry.remote_id
        if step is Step.CREATE:
            remote_id = self._create(entry, case, ctx).remote_id
        if self._send_follow_up and not entry.follow_up_sent:
            assert remote_id is not None  # set by the create above or by an earlier attempt
            body = to_lapor_follow_up(case, self._mapping)
            self._call(key, "follow_up", lambda: self._client.add_follow_up(remote_id, body))
            self._ledger.record_follow_up(key, now=self._now())
        self._ledger.mark_sent(key, now=self._now())
        self._created.pop(key, None)
        metrics.SENDS.labels(TARGET, "sent").inc()
        metrics.LEDGER_TRANSITIONS.labels(TARGET, LedgerState.SENT.value).inc()
        log.info("published to LAPOR!", extra={**ctx, "remote_id": remote_id})

    def _create(self, entry: LedgerEntry, case: CaseResolved, ctx: Any) -> Created:
        key = entry.key
        created = self._created.get(key)
        if created is None and may_duplicate(entry):
            created = self._look_up(entry, ctx)
        if created is None:
            body = to_lapor_complaint(case, key.complaint_id, self._mapping)

            def send() -> Created:
                # Marked inside the breaker's guard: a refused call leaves no in-flight mark.
                self._ledger.mark_in_flight(key, now=self._now())
                return self._client.create_complaint(body)

            created = self._call(key, "create", send)
            self._remember(key, created)
        self._ledger.record_created(
            key, remote_id=created.remote_id, tracking_id=created.tracking_id, now=self._now()
        )
        return created

    def _look_up(self, entry: LedgerEntry, ctx: Any) -> Created | None:
        """An earlier create's outcome is unknown: ask LAPOR! before creating it again."""
        external = entry.external_id or external_id(entry.complaint_id, entry.case_version)
        found = self._call(entry.key, "look_up", lambda: self._client.find_by_external_id(external))
        outcome = "found" if found else "absent"
        metrics.LOOK_UPS.labels(TARGET, outcome).inc()
        log.warning("create outcome was unknown; LAPOR! has it %s", outcome, extra=ctx)
        return found

    def _call(self, key: LedgerKey, call: str, send: Callable[[], R]) -> R:
        """Make one HTTP call through the breaker, timing it and recording transient failures."""
        if not self._breaker.allow(self._monotonic()):
            metrics.SENDS.labels(TARGET, "breaker_open").inc()
            self._gauge()
            raise BreakerOpen("LAPOR! circuit breaker is open")
        started = time.perf_counter()
        try:
            result = send()
        except LaporUnavailable as exc:
            self._breaker.record_failure(self._monotonic())
            metrics.SENDS.labels(TARGET, "transient_error").inc()
            self._ledger.record_transient(key, error=str(exc), certain=exc.certain, now=self._now())
            raise
        except LaporRejected:
            self._breaker.record_success()  # it answered: the target is up
            raise
        except BaseException:
            self._breaker.release()  # e.g. Mongo failed around the call: no verdict on LAPOR!
            raise
        finally:
            metrics.SEND_SECONDS.labels(TARGET, call).observe(time.perf_counter() - started)
            self._gauge()
        self._breaker.record_success()
        return result

    def _fail(self, key: LedgerKey, exc: Exception, ctx: Any) -> None:
        reason = f"{type(exc).__name__}: {exc}"
        self._ledger.mark_failed(key, reason=reason, now=self._now())
        outcome = "unmappable" if isinstance(exc, MappingError) else "rejected"
        metrics.SENDS.labels(TARGET, outcome).inc()
        metrics.LEDGER_TRANSITIONS.labels(TARGET, LedgerState.FAILED.value).inc()
        log.error("LAPOR! publication failed for good", extra={**ctx, "reason": reason})

    def _remember(self, key: LedgerKey, created: Created) -> None:
        self._created[key] = created
        while len(self._created) > _REMEMBERED:
            self._created.popitem(last=False)

    def _gauge(self) -> None:
        metrics.BREAKER_STATE.labels(TARGET).set(self._breaker.state(self._monotonic()))
