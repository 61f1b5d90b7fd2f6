"""What the case agent does with one record: decode, decide, emit, store, project, and on any
failure dead-letter the original record. faust acks and forgets an event whose agent body
raises (faust-streaming/faust#175), so `CaseHandler.handle` never raises for a record's fault.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.sla import metrics
from services.sla.case import Case
from services.sla.lifecycle import Applied, Duplicate, Rejected, apply
from services.sla.repository import CaseRepository
from services.sla.view import to_document
from shared.events import Envelope, decode, follow
from shared.kafka.deadletter import dead_letter_headers
from shared.kafka.loop import Outgoing
from shared.metrics import ConsumerMetrics
from shared.retry import TRANSIENT_ERRORS, Backoff
from shared.topics import dead_letter

log = logging.getLogger(__name__)

Headers = Sequence[tuple[str, bytes]]
# Sends one record and returns once Kafka acknowledged it.
Send = Callable[[str, bytes | None, bytes, Headers], Awaitable[None]]


class InvalidTransition(Exception):
    """The event is not a valid step of its case's lifecycle."""


class KeyMismatch(Exception):
    """The record's key is not the event's complaint id: the table would land on the wrong
    partition, so the record is refused."""


class RetriesExhausted(Exception):
    """A transient failure outlasted the back-off; carries the last error and the attempts."""

    def __init__(self, cause: BaseException, attempts: int) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.attempts = attempts


@dataclass(frozen=True)
class Incoming:
    """One consumed record, independent of the client that read it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Headers = ()


class CaseHandler:
    """Applies records to the `cases` table, the Mongo view and `complaints.resolved`."""

    def __init__(
        self,
        *,
        table: MutableMapping[str, Any],
        repository: CaseRepository,
        send: Send,
        service: str,
        resolved_topic: str,
        keep_event_ids: int = 64,
        backoff: Backoff | None = None,
    ) -> None:
        self._table = table
        self._repository = repository
        self._send = send
        self._service = service
        self._resolved_topic = resolved_topic
        self._keep_event_ids = keep_event_ids
        self._backoff = backoff or Backoff()
        self._consumer_metrics = ConsumerMetrics(service)

    async def handle(self, record: Incoming) -> None:
        """Process one record; every failure of the record's own ends in the dead-letter topic.

        Only a failure to dead-letter propagates: Kafka is away, and the caller must stop
        without acknowledging the record.
        """
        event_type = "unknown"
        try:
            event = decode(record.value)
            event_type = event.type
            await self._apply(record, event)
        except Exception as exc:
            outcome = _outcome_of(exc, event_type)
            metrics.count_event(event_type, outcome)
            attempts = exc.attempts if isinstance(exc, RetriesExhausted) else 1
            await self._dead_letter(record, _cause(exc), attempts=attempts)

    async def _apply(self, record: Incoming, event: Envelope[Any]) -> None:
        if record.key is not None and record.key != event.subject.encode():
            raise KeyMismatch(f"record key {record.key!r} is not the subject {event.subject!r}")
        state = self._table.get(event.subject)
        current = Case.from_state(state) if state else None
        decision = apply(current, event, keep_event_ids=self._keep_event_ids)
        if isinstance(decision, Rejected):
            raise InvalidTransition(decision.reason)
        if isinstance(decision, Duplicate):
            # Re-projecting is idempotent, and heals the view when a dead-lettered projection
            # failure is replayed.
            await self._project(decision.case)
            metrics.count_event(event.type, "duplicate")
            return
        await self._commit(event, decision)
        metrics.count_event(event.type, "applied")

    async def _commit(self, event: Envelope[Any], decision: Applied) -> None:
        """Emit first, then store: a crash in between re-emits (the publisher's ledger dedupes
        on complaint and case version) rather than losing the CaseResolved."""
        case = decision.case
        if decision.resolved is not None:
            out = Outgoing.event(
                self._resolved_topic, follow(event, decision.resolved, source=self._service)
            )
            await self._send(out.topic, out.key.encode(), out.value, out.headers)
        self._table[case.complaint_id] = case.to_state()
        metrics.track_case(decision.previous, case)
        log.info(
            "case %s",
            case.status,
            extra={"complaint_id": case.complaint_id, "correlation_id": event.correlation_id},
        )
        await self._project(case)

    async def _project(self, case: Case) -> None:
        """Write the view, retrying transient Mongo errors with back-off. A case known only from
        OPD events has no tracking number yet, so no view: citizens look cases up by it."""
        if case.tracking_number is None:
            return
        doc = to_document(case)
        for attempt in range(1, self._backoff.attempts + 1):
            try:
                await asyncio.to_thread(self._repository.upsert, doc)
                return
            except TRANSIENT_ERRORS as exc:
                if attempt == self._backoff.attempts:
                    raise RetriesExhausted(exc, attempt) from exc
                log.warning(
                    "view write failed, retrying",
                    extra={"complaint_id": case.complaint_id, "attempt": attempt},
                )
                await asyncio.sleep(self._backoff.delay(attempt))

    async def _dead_letter(self, record: Incoming, exc: BaseException, *, attempts: int) -> None:
        log.error(
            "dead-lettering record",
            extra={
                "complaint_id": record.key.decode(errors="replace") if record.key else None,
                "topic": record.topic,
                "offset": record.offset,
                "error_class": type(exc).__name__,
                "error": str(exc)[:500],
            },
        )
        self._consumer_metrics.dead_lettered(record.topic, type(exc).__name__)
        hdrs = dead_letter_headers(record, exc, attempts=attempts, service=self._service)
        await self._send(dead_letter(record.topic), record.key, record.value, hdrs)


def _cause(exc: BaseException) -> BaseException:
    return exc.cause if isinstance(exc, RetriesExhausted) else exc


def _outcome_of(exc: BaseException, event_type: str) -> str:
    if isinstance(exc, InvalidTransition):
        return "rejected"
    return "poison" if event_type == "unknown" else "failed"
