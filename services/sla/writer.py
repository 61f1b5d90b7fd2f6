"""Storing changed cases, once their batch's records are sent: the states, the views, and then
what this worker keeps in memory about them (timer heap, backlog gauge, counters)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.sla import metrics
from services.sla.case import Case
from services.sla.repository import CaseRepository, StateRepository, Write
from services.sla.timers import TimerHeap
from services.sla.timing import Timing
from services.sla.view import CaseDocument, to_document


@dataclass(frozen=True)
class Change:
    """A case as it was read (None: new) and as it is now, in its partition."""

    before: Case | None
    case: Case
    revision: int
    partition: int | None
    before_overdue: bool = False


class CaseWriter:
    """Writes changes and keeps the timers, the backlog and the counters in step with them."""

    def __init__(
        self,
        *,
        states: StateRepository,
        views: CaseRepository,
        timing: Timing,
        timers: TimerHeap,
        backlog: metrics.Backlog,
        held_max_age: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._states, self._views = states, views
        self._timing, self._timers, self._backlog = timing, timers, backlog
        self._held_max_age = held_max_age
        self._now = clock

    def write(self, changes: Sequence[Change], touched: Iterable[Case]) -> None:
        """Store the changed states, then the views; then update what memory keeps."""
        now = self._now()
        writes = [self._write(change, now) for change in changes]
        self._states.save_many(writes, held_max_age=self._held_max_age)
        self._views.upsert_many(self.document(case) for case in touched if case.tracking_number)
        for change, write in zip(changes, writes, strict=True):
            self._remember(change, write)
        metrics.TIMERS.set(len(self._timers))

    def document(self, case: Case) -> CaseDocument:
        """The view of a case, with its clocks as of its latest fact (the same every time)."""
        updated = max((e.at for e in case.timeline), default=case.received_at)
        clocks = self._timing.states(case, updated) if updated is not None else ()
        return to_document(case, clocks)

    def _write(self, change: Change, now: datetime) -> Write:
        case = change.case
        return Write(
            case=case,
            revision=change.revision,
            partition=change.partition,
            next_alert_at=self._timing.next_at(case, now),
            overdue=self._timing.overdue(case, now),
        )

    def _remember(self, change: Change, write: Write) -> None:
        before, case = change.before, change.case
        self._timers.set(case.complaint_id, write.partition, write.next_alert_at)
        was = metrics.backlog_key(before, overdue=change.before_overdue) if before else None
        self._backlog.move(write.partition, was, metrics.backlog_key(case, overdue=write.overdue))
        metrics.observe_change(
            before, case, rtl_days=self._rtl(before, case), triage_days=self._triage(before, case)
        )

    def _rtl(self, before: Case | None, case: Case) -> float | None:
        if case.first_follow_up_at is None or case.assigned_at is None:
            return None
        if before is not None and before.first_follow_up_at is not None:
            return None
        return self._timing.calendar(case).elapsed_days(case.assigned_at, case.first_follow_up_at)

    def _triage(self, before: Case | None, case: Case) -> float | None:
        if case.disposed_at is None or case.received_at is None:
            return None
        if before is not None and before.disposed_at is not None:
            return None
        return self._timing.calendar(case).elapsed_days(case.received_at, case.disposed_at)
