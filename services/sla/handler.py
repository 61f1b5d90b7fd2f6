"""What the sla does with a batch of complaint events: read its cases once, decide each event in
order, write each changed case (its state and view, one document) once, and say what to send
and what to refuse.

Refused events (an invalid transition, an OPD that does not own the case) go to the dead-letter
topic with the reason and leave the case unchanged. An unavailable Mongo propagates: the loop
holds the batch and tries it again; events already applied are then duplicates (their ids are in
the case), and the batch's CaseResolved events are sent again, unchanged (derived event ids are
deterministic). A view is written with its state, so no replay has a view to heal; a case's
timer document is written just after it, so a replay writes the timers of the cases it finds
already applied (the only thing such a failure can leave behind).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from services.sla import metrics
from services.sla.case import Case, HeldEvent
from services.sla.held import HeldCases
from services.sla.lifecycle import Applied, Duplicate, Rejected, apply, expire_held
from services.sla.merge import case_resolved
from services.sla.quality import Judge, Reply
from services.sla.repository import StateRepository, Stored
from services.sla.writer import CaseWriter, Change
from shared.events import ComplaintResolved, Envelope, Payload, decode, follow
from shared.kafka.records import Outgoing, Received, Refused, Result, Then
from shared.lifecycle import Status

log = logging.getLogger(__name__)


class InvalidTransition(ValueError):
    """The event is not a valid step of its case's lifecycle."""


@dataclass(frozen=True)
class HeldRecord:
    """A held event's record, rebuilt for the dead-letter topic (same topic, partition, offset,
    key and value as the record it was read from)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)

    @classmethod
    def of(cls, held: HeldEvent) -> HeldRecord:
        """Rebuild the record of a held event."""
        key = held.key.encode() if held.key is not None else None
        return cls(held.topic, held.partition, held.offset, key, held.value.encode())


@dataclass
class _Batch:
    """The cases of one batch as they are being changed."""

    stored: dict[str, Stored]
    cases: dict[str, Case] = field(default_factory=dict)
    changed: dict[str, Case | None] = field(default_factory=dict)  # id -> case before the batch
    results: list[Result] = field(default_factory=list)
    partitions: dict[str, int] = field(default_factory=dict)  # id -> partition of its records
    replies: list[Reply] = field(default_factory=list)  # judged in this batch, to store
    replayed: set[str] = field(default_factory=set)  # cases with an event already applied

    def current(self, complaint_id: str) -> Case | None:
        if complaint_id in self.cases:
            return self.cases[complaint_id]
        found = self.stored.get(complaint_id)
        return found.case if found else None

    def update(self, before: Case | None, case: Case) -> None:
        self.changed.setdefault(case.complaint_id, before)
        self.cases[case.complaint_id] = case

    def unchanged_replays(self) -> list[Stored]:
        """The stored cases that this batch found already applied and did not change."""
        return [self.stored[i] for i in self.replayed if i not in self.changed and i in self.stored]

    def changes(self) -> list[Change]:
        """The changed cases with what the store had of them."""
        return [self._change(i, before) for i, before in self.changed.items()]

    def _change(self, complaint_id: str, before: Case | None) -> Change:
        found = self.stored.get(complaint_id)
        partition = self.partitions.get(complaint_id, found.partition if found else None)
        return Change(
            before=before,
            case=self.cases[complaint_id],
            revision=found.revision if found else 0,
            partition=partition,
            before_overdue=found.overdue if found else False,
        )


class CaseHandler:
    """Applies complaint events to the case states, the public views and `complaints.resolved`."""

    def __init__(
        self,
        *,
        states: StateRepository,
        writer: CaseWriter,
        held: HeldCases,
        judge: Judge,
        service: str,
        resolved_topic: str,
        keep_event_ids: int = 64,
        resolved_version: int = 2,
        held_max_age: timedelta = timedelta(minutes=10),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._states = states
        self._writer = writer
        self._held = held
        self._judge = judge
        self._source = f"/aduan/{service}"
        self._resolved_topic = resolved_topic
        self._keep_event_ids = keep_event_ids
        self._resolved_version = resolved_version
        self._held_max_age = held_max_age
        self._now = clock

    def handle_batch(self, batch: Sequence[Received[Envelope[Payload]]]) -> list[Result]:
        """Apply every event in order; return what to send and what to refuse."""
        work = _Batch(self._states.load_many(r.item.subject for r in batch))
        for received in batch:
            self._apply(work, received)
        # Stored once the batch's records are sent: a failed send replays the batch, and a
        # held event refused here must reach the dead-letter topic before it leaves the state.
        return [*work.results, Then(lambda: self._store(work))]

    def sweep_held(self) -> list[Result]:
        """Refuse the held events whose case never became ready for them (a timer's tick).

        Which cases hold an expired event is known in memory (`HeldCases`); only those are
        read, by `_id`."""
        holding = self._held.expired(self._now())
        if not holding:
            return []
        work = _Batch(self._states.load_many(holding))
        for stored in work.stored.values():
            case, expired = expire_held(stored.case, self._now(), self._held_max_age)
            work.update(stored.case, case)
            for held in expired:
                reason = f"held {self._held_max_age} and its case never became ready for it"
                work.results.append(_refused_held(held, reason))
        return [*work.results, Then(lambda: self._store(work))]

    def _apply(self, work: _Batch, received: Received[Envelope[Payload]]) -> None:
        event = received.item
        current = work.current(event.subject)
        decision = apply(
            current,
            event,
            hold=lambda: _held(received, self._now()),
            decode=decode,
            keep_event_ids=self._keep_event_ids,
        )
        metrics.count_event(event.type, type(decision).__name__.lower())
        if isinstance(decision, Rejected):
            work.results.append(Refused(received, InvalidTransition(decision.reason)))
        elif isinstance(decision, Duplicate):
            work.replayed.add(event.subject)
            work.results.extend(self._resolution_again(event, decision.case))
        else:
            case, replies = self._judge.judge(decision.case)
            work.replies.extend(replies)
            work.update(current, case)
            work.partitions[event.subject] = received.record.partition
            work.results.extend(self._emitted(event, decision, case))

    def _emitted(self, event: Envelope[Any], decision: Applied, judged: Case) -> list[Result]:
        results: list[Result] = [_refused_held(held, why) for held, why in decision.refused]
        if decision.resolved is not None:  # from the judged case: it carries the judgements
            results.append(self._resolution(event, judged))
        log.info("case %s", decision.case.status, extra=_ids(event))
        return results

    def _resolution(self, event: Envelope[Any], case: Case) -> Outgoing:
        payload = case_resolved(case, self._resolved_version)
        return Outgoing.event(self._resolved_topic, follow(event, payload, source=self._source))

    def _resolution_again(self, event: Envelope[Any], case: Case) -> list[Result]:
        """A replayed resolution sends its CaseResolved again (same id): the first send may
        not have reached Kafka before the batch failed."""
        if not isinstance(event.data, ComplaintResolved) or case.status is not Status.RESOLVED:
            return []
        if case.resolved_emitted_version < case.version:
            return []
        return [self._resolution(event, case)]

    def _store(self, work: _Batch) -> None:
        """Write the judged replies' fingerprints, then the changed cases; count only once all
        are stored. A replay's cases get their timers again (a failure may have come between
        a case's write and its timer's)."""
        self._judge.save(work.replies)  # first: a case stored judged is never judged again
        self._writer.write(work.changes())
        self._writer.rewrite_timers(work.unchanged_replays())


def _held(received: Received[Envelope[Any]], now: datetime) -> HeldEvent:
    record = received.record
    return HeldEvent(
        event_id=received.item.id,
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key.decode(errors="replace") if record.key is not None else None,
        value=record.value.decode(),
        held_at=now,
    )


def _refused_held(held: HeldEvent, reason: str) -> Refused:
    return Refused(Received(HeldRecord.of(held), None), InvalidTransition(reason))


def _ids(event: Envelope[Any]) -> dict[str, str]:
    return {"complaint_id": event.subject, "correlation_id": event.correlation_id}
