"""The batch handler: every event of a batch to every target, concurrently, in order per case.

Per batch and target: one ledger read and one insert claim every key (FerretDB scans per
query, so the batch, not the record, pays for it); the steps the sends record are inserted
together when the batch's sends are over (see LedgerRepository.buffered). Then one task per (target, complaint) runs
that case's events in order on a bounded thread pool: sends to different cases overlap, sends
of one case never reorder. The handler returns only when every task has finished, so the
loop's commit covers every send, and the next poll waits for it: that is the backpressure.

Outcomes: a permanent refusal refuses its record (dead letter); a transient error anywhere is
raised once all tasks are done, and the loop holds the whole batch: what was sent is `sent` in
the ledger and skipped on the retry.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from services.publisher import metrics
from services.publisher.ledger import LedgerEntry, LedgerKey
from services.publisher.pending import PendingAges
from services.publisher.stats import CaseStats, case_facts
from services.publisher.target import TargetPublisher, UnexpectedEvent
from shared.events import CaseResolved, Envelope
from shared.events.payloads import Payload
from shared.kafka.records import Received, Refused, Result
from shared.retry import dependency_of

log = logging.getLogger(__name__)
Event = Envelope[Payload]


@dataclass(frozen=True)
class _Task:
    target: TargetPublisher
    events: list[Received[Event]]


class Dispatcher:
    """The consume loop's batch handler over several targets."""

    def __init__(
        self,
        targets: Sequence[TargetPublisher],
        *,
        max_in_flight: int,
        pending: PendingAges,
        stats: CaseStats | None = None,
    ) -> None:
        self._targets = list(targets)
        self._pool = ThreadPoolExecutor(max_in_flight, thread_name_prefix="publish")
        self._pending = pending
        self._stats = stats

    def close(self) -> None:
        """Let running sends finish, then stop the pool."""
        self._pool.shutdown(wait=True)

    def handle(self, batch: Sequence[Received[Event]]) -> list[Result]:
        """Publish the batch to every target; return the refusals once all sends are done."""
        refused: list[Result] = []
        good = [r for r in batch if _accepted(r, refused)]
        if self._stats is not None:  # the report's facts, stored before any send
            self._stats.record([case_facts(r.item.subject, _case(r), _raw(r)) for r in good])
        tasks: list[tuple[_Task, dict[LedgerKey, LedgerEntry]]] = []
        for target in self._targets:
            events = [r for r in good if target.wants(_case(r))]
            if events:
                entries = self._claim(target, events)
                tasks += [(task, entries) for task in _per_case(target, events)]
        ledgers = list({id(t.ledger): t.ledger for t in self._targets}.values())
        for ledger in ledgers:
            ledger.buffered()
        futures = [self._pool.submit(self._run, task, entries) for task, entries in tasks]
        try:
            results = _outcomes(futures)
        finally:
            for ledger in ledgers:  # what was done is recorded even when the batch is held
                ledger.flush()
        return refused + results

    def _claim(self, target: TargetPublisher, events: list[Received[Event]]) -> Any:
        keys = [target.key_of(r.item) for r in events]
        self._pending.started(target.name, keys)
        return target.ledger.claim_many(
            keys,
            external_id=target.external_id,
            owner=target.owner,
            lease=target.lease,
            now=target.now(),
        )

    def _run(self, task: _Task, entries: dict[LedgerKey, LedgerEntry]) -> list[Result]:
        """Publish one case's events in order; stop at its first transient error."""
        refused: list[Result] = []
        done: set[LedgerKey] = set()
        for received in task.events:
            key = task.target.key_of(received.item)
            if key in done:  # the same case version twice in one batch: once is enough
                metrics.SENDS.labels(task.target.name, "skipped_duplicate").inc()
                continue
            try:
                task.target.publish(received.item, entries[key])
            except Exception as exc:
                if dependency_of(exc) is not None:
                    raise
                refused.append(Refused(received, exc))
            done.add(key)
            self._pending.finished(task.target.name, key)
        return refused


def _accepted(received: Received[Event], refused: list[Result]) -> bool:
    if isinstance(received.item.data, CaseResolved):
        return True
    refused.append(
        Refused(received, UnexpectedEvent(f"expected a CaseResolved, got {received.item.type}"))
    )
    return False


def _case(received: Received[Event]) -> CaseResolved:
    data = received.item.data
    assert isinstance(data, CaseResolved)  # filtered by _accepted
    return data


def _raw(received: Received[Event]) -> str | None:
    value = getattr(received.record, "value", None)
    return value.decode() if isinstance(value, bytes) else None


def _per_case(target: TargetPublisher, events: list[Received[Event]]) -> list[_Task]:
    """Group a target's events by complaint, keeping their order within each."""
    groups: dict[str, list[Received[Event]]] = {}
    for received in events:
        groups.setdefault(received.item.subject, []).append(received)
    return [_Task(target, group) for group in groups.values()]


def _outcomes(futures: list[Future[list[Result]]]) -> list[Result]:
    """Wait for every task; raise the first transient error only after all have ended."""
    results: list[Result] = []
    transient: BaseException | None = None
    for future in futures:
        error = future.exception()
        if error is None:
            results += future.result()
        elif transient is None:
            transient = error
    if transient is not None:
        raise transient
    return results
