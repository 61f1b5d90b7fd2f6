"""Storing changed cases, once their batch's records are sent: each case's state and view in one
write, and then what this worker keeps in memory about them (timer heap, held cases, backlog
gauge, counters). The clocks of a case are computed once per write: its view, its next alert
and its overdue flag all come from the same clock states."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.sla import metrics
from services.sla.case import Case
from services.sla.clocks import ClockState, next_alert_at
from services.sla.held import HeldCases
from services.sla.loading import PartitionLoader
from services.sla.repository import StateRepository, Stored, Write
from services.sla.timers import TimerHeap
from services.sla.timing import Timing
from services.sla.view import to_document


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
        timing: Timing,
        timers: TimerHeap,
        held: HeldCases,
        backlog: metrics.Backlog,
        loader: PartitionLoader,
        held_max_age: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        self._states, self._loader = states, loader
        self._timing, self._timers, self._held, self._backlog = timing, timers, held, backlog
        self._held_max_age = held_max_age
        self._now = clock

    def write(self, changes: Sequence[Change]) -> None:
        """Store each changed case with its view (one write); then update what memory keeps."""
        now = self._now()
        writes = [self._write(change, now) for change in changes]
        self._states.save_many(writes)
        for change, write in zip(changes, writes, strict=True):
            self._remember(change, write)
        metrics.TIMERS.set(len(self._timers))

    def rewrite_timers(self, replayed: Sequence[Stored]) -> None:
        """Write again the timers of cases that a replayed batch found already applied: the
        write that applied them may have stopped between the case and its timer (a crash, Mongo
        gone), and a replay changes no case, so nothing else would. Each timer is derived from
        the stored case as its write derived it, with the overdue flag the case has."""
        now = self._now()
        timers = []
        for found in replayed:
            change = Change(found.case, found.case, found.revision - 1, found.partition)
            timer = replace(self._write(change, now), overdue=found.overdue).timer()
            if timer is not None:
                timers.append(timer)
        self._states.save_timers(timers)

    def _clocks(self, case: Case) -> tuple[ClockState, ...]:
        """The case's clocks as of its latest fact. Their due and alert instants do not depend
        on the time they are computed at (only the days spent postponed do), so the next alert
        and the overdue flag derive from these too."""
        updated = max((e.at for e in case.timeline), default=case.received_at)
        return self._timing.states(case, updated) if updated is not None else ()

    def _write(self, change: Change, now: datetime) -> Write:
        case = change.case
        clocks = self._clocks(case)
        held = min((h.held_at for h in case.held), default=None)
        return Write(
            case=case,
            revision=change.revision,
            partition=change.partition,
            next_alert_at=next_alert_at(clocks, case.sent_alert_ids),
            overdue=any(s.running and s.overdue(now) for s in clocks),
            held_until=held + self._held_max_age if held is not None else None,
            view=to_document(case, clocks) if case.tracking_number else None,
        )

    def _remember(self, change: Change, write: Write) -> None:
        before, case = change.before, change.case
        self._timers.set(case.complaint_id, write.partition, write.next_alert_at)
        self._held.set(case.complaint_id, write.partition, write.held_until)
        was = metrics.backlog_key(before, overdue=change.before_overdue) if before else None
        now = metrics.backlog_key(case, overdue=write.overdue)
        self._backlog.move(write.partition, was, now)  # a loaded partition's
        # A partition still loading: the loader keeps this newer timer and counts the move.
        self._loader.written(case.complaint_id, write.partition, write.revision + 1, was, now)
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
