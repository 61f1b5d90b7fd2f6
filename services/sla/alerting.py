"""The alert timer, run by the loop's `tick`: follow the partition assignment (read a slice of
the timers of newly owned partitions, `loading.py`), then send the alerts now due.

Each alert goes out once per clock, level and clock start: its event id is the deterministic
alert id, and the ids sent are stored in the case (`Case.alerts`) by the tick's `Then`, after the
sends are flushed. A crash in between sends the same event again (same id) after the restart;
nothing is missed, because the heap is rebuilt from each case's stored `next_alert_at` (an alert
that fell due while its case was not loaded yet goes out at the tick that finds it due).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from kafka import ConsumerRebalanceListener
from kafka.structs import TopicPartition

from services.sla import metrics
from services.sla.case import Case, SentAlert
from services.sla.clocks import Alert, AlertLevel, due_alerts
from services.sla.held import HeldCases
from services.sla.loading import PartitionLoader
from services.sla.repository import StateRepository, Stored
from services.sla.timers import TimerHeap
from services.sla.timing import Timing, alert_event, closing_event
from services.sla.writer import CaseWriter, Change
from shared.kafka.records import Outgoing, Result, Then

log = logging.getLogger(__name__)
_AT_ONCE = datetime(1970, 1, 1, tzinfo=UTC)


class Assignment(ConsumerRebalanceListener):  # type: ignore[misc]
    """The partitions this worker owns. kafka-python may call it on its network thread, so it
    only records the change; the tick (on the loop's thread) acts on it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owned: set[TopicPartition] = set()

    def on_partitions_revoked(self, revoked: Collection[TopicPartition]) -> None:
        """Forget revoked partitions."""
        with self._lock:
            self._owned -= set(revoked)

    def on_partitions_assigned(self, assigned: Collection[TopicPartition]) -> None:
        """Add assigned partitions (all of them when eager, the new ones when cooperative)."""
        with self._lock:
            self._owned |= set(assigned)

    def partitions(self) -> set[int]:
        """The partition numbers owned (the complaint topics have equal partition counts)."""
        with self._lock:
            return {tp.partition for tp in self._owned}


@dataclass(frozen=True)
class Topics:
    """Where alerts and the events they call for go."""

    alerts: str
    updates: str


class AlertTicker:
    """Sends the alerts due in the partitions this worker owns."""

    def __init__(
        self,
        *,
        states: StateRepository,
        writer: CaseWriter,
        timing: Timing,
        timers: TimerHeap,
        held: HeldCases,
        backlog: metrics.Backlog,
        loader: PartitionLoader,
        assignment: Assignment,
        topics: Topics,
        service: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._states, self._writer, self._timing = states, writer, timing
        self._timers, self._backlog, self._assignment = timers, backlog, assignment
        self._held, self._loader = held, loader
        self._topics, self._source, self._now = topics, f"/aduan/{service}", clock
        self._inflight: list[Stored] = []  # popped, not stored yet: back in the heap on failure

    def tick(self) -> list[Result]:
        """Follow the assignment, then return the due alerts and the Then that stores them."""
        self._restore_inflight()
        self._follow_assignment()
        now = self._now()
        due = self._timers.pop_due(now)
        if not due:
            return []
        stored = self._states.load_many(due)
        self._inflight = list(stored.values())
        results: list[Result] = []
        changes: list[Change] = []
        sent: list[tuple[Case, Alert]] = []
        for found in self._inflight:
            alerts, outgoing = self._alerts(found.case, now)
            results.extend(outgoing)
            sent.extend((found.case, alert) for alert in alerts)
            changes.append(_change(found, _with_alerts(found.case, alerts)))
        return [*results, Then(lambda: self._store(changes, sent))]

    def _alerts(self, case: Case, now: datetime) -> tuple[list[Alert], list[Outgoing]]:
        states = self._timing.states(case, now)
        limits = {state.clock: state.limit_days for state in states}
        alerts = due_alerts(states, now, case.sent_alert_ids)
        outgoing = []
        for alert in alerts:
            event = alert_event(case, alert, limit_days=limits[alert.clock], source=self._source)
            outgoing.append(Outgoing.event(self._topics.alerts, event))
            closing = closing_event(case, alert, source=self._source)
            if closing is not None:
                outgoing.append(Outgoing.event(self._topics.updates, closing))
        return alerts, outgoing

    def _store(self, changes: list[Change], sent: list[tuple[Case, Alert]]) -> None:
        self._writer.write(changes)
        self._inflight = []
        now = self._now()
        for case, alert in sent:
            opd = case.opd_code or metrics.NO_OPD
            metrics.ALERTS.labels(alert.clock, alert.level, opd).inc()
            metrics.ALERT_DELAY.observe(max((now - alert.at).total_seconds(), 0.0))
            if alert.level is AlertLevel.OVERDUE:
                metrics.BREACHES.labels(alert.clock, opd).inc()
            log.info(
                "alert %s %s",
                alert.clock,
                alert.level,
                extra={"complaint_id": case.complaint_id, "alert_id": alert.alert_id},
            )

    def _restore_inflight(self) -> None:
        """A tick whose sends or store failed: its cases go back to the heap, due at once."""
        for found in self._inflight:
            self._timers.set(found.case.complaint_id, found.partition, _AT_ONCE)
        self._inflight = []

    def _follow_assignment(self) -> None:
        """Take a changed assignment, then read the next slice of what is still loading (the
        alerts of the cases read so far go out in this very tick)."""
        owned = self._assignment.partitions()
        if owned != self._timers.owned:
            gained, lost = self._timers.assign(owned)
            self._backlog.drop(lost)
            self._held.drop(lost)
            self._loader.drop(lost)
            self._loader.start(gained)
            log.info("partitions assigned", extra={"gained": sorted(gained), "lost": sorted(lost)})
        if self._loader.loading:
            self._loader.step()


def _change(found: Stored, case: Case) -> Change:
    return Change(
        before=found.case,
        case=case,
        revision=found.revision,
        partition=found.partition,
        before_overdue=found.overdue,
    )


def _with_alerts(case: Case, alerts: list[Alert]) -> Case:
    if not alerts:
        return case
    sent = tuple(
        SentAlert(alert_id=a.alert_id, clock=a.clock, level=a.level, at=a.at, due=a.due)
        for a in alerts
    )
    return case.model_copy(update={"alerts": (*case.alerts, *sent)})
