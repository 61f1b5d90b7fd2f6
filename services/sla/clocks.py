"""The SLA clocks of a case and their alerts. Pure: a case's times and a calendar in, clock
states and due alerts out; no clients, and `now` is always an argument.

A clock starts at an event, stops at another, and is due after a number of working days (HK).
The OPD clocks and the completion clock pause while the case is postponed (tunda) and move their
due time by the working time spent paused. A reassignment restarts the OPD clocks, a reopen
restarts every clock but verification: a restarted clock has a new start, hence new alert ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ulid import ULID

from services.sla.calendar import WorkingCalendar
from services.sla.clock_policy import (
    ALL_LEVELS,
    PAUSABLE,
    AlertLevel,
    Answer,
    ClockInput,
    ClockName,
    ClockPolicy,
    Postponement,
)

# The policy and input types are part of this module's API.
__all__ = [
    "Alert",
    "AlertLevel",
    "AlertPoint",
    "Answer",
    "ClockInput",
    "ClockName",
    "ClockPolicy",
    "ClockState",
    "Postponement",
    "alert_id",
    "clock_states",
    "due_alerts",
    "next_alert_at",
]


@dataclass(frozen=True, slots=True)
class AlertPoint:
    """When a level of a clock is reached; None while the clock is paused before it."""

    level: AlertLevel
    at: datetime | None


@dataclass(frozen=True, slots=True)
class ClockState:
    """One clock of one case as of `now`."""

    complaint_id: str
    clock: ClockName
    start: datetime
    limit_days: float
    due: datetime | None  # None while paused before the due time
    stopped_at: datetime | None
    paused_since: datetime | None
    paused_days: float  # working days spent postponed between start and stop (or now)
    alerts: tuple[AlertPoint, ...]

    @property
    def running(self) -> bool:
        """Whether the clock has not stopped."""
        return self.stopped_at is None

    def overdue(self, now: datetime) -> bool:
        """Whether the clock passed its due time (before it stopped, or by `now`)."""
        end = self.stopped_at or now
        return self.due is not None and end > self.due


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert to send on `sla.alerts`; `alert_id` is the same on every replay."""

    alert_id: str
    complaint_id: str
    clock: ClockName
    level: AlertLevel
    at: datetime  # when the level was reached
    due: datetime  # the clock's due time
    clock_start: datetime


@dataclass(frozen=True, slots=True)
class _Span:
    clock: ClockName
    start: datetime
    limit_days: float
    stop: datetime | None


def clock_states(
    case: ClockInput, policy: ClockPolicy, calendar: WorkingCalendar, now: datetime
) -> tuple[ClockState, ...]:
    """Return every clock the case has started, running or stopped, as of `now`."""
    return tuple(_state(case, span, policy, calendar, now) for span in _spans(case, policy))


def due_alerts(states: Iterable[ClockState], now: datetime, sent: Collection[str]) -> list[Alert]:
    """Return the alerts reached by `now` on running clocks whose ids are not in `sent`."""
    found = []
    for state in filter(_alerting, states):
        assert state.due is not None  # _alerting
        for point in state.alerts:
            if point.at is not None and point.at <= now:
                alert = _alert(state, point.level, point.at, state.due)
                if alert.alert_id not in sent:
                    found.append(alert)
    return sorted(found, key=lambda alert: alert.at)


def next_alert_at(states: Iterable[ClockState], sent: Collection[str]) -> datetime | None:
    """Return the earliest instant an alert not yet sent falls due (for the timer index)."""
    pending = [
        point.at
        for state in filter(_alerting, states)
        for point in state.alerts
        if point.at is not None
        and alert_id(state.complaint_id, state.clock, point.level, state.start) not in sent
    ]
    return min(pending, default=None)


def alert_id(complaint_id: str, clock: ClockName, level: AlertLevel, start: datetime) -> str:
    """Return the alert's event id: a ULID whose time is the clock start and whose random part
    hashes (complaint, clock, level, start), so a replay builds the same id."""
    start_us = (start - _EPOCH) // timedelta(microseconds=1)
    key = f"{complaint_id}|{clock.value}|{level.value}|{start_us}".encode()
    digest = hashlib.blake2b(key, digest_size=10).digest()
    millis = max(start_us // 1000, 0).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + digest))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _alerting(state: ClockState) -> bool:
    """A stopped clock needs no action; a paused one waits for the reporter."""
    return state.running and state.due is not None


def _alert(state: ClockState, level: AlertLevel, at: datetime, due: datetime) -> Alert:
    return Alert(
        alert_id=alert_id(state.complaint_id, state.clock, level, state.start),
        complaint_id=state.complaint_id,
        clock=state.clock,
        level=level,
        at=at,
        due=due,
        clock_start=state.start,
    )


def _state(
    case: ClockInput, span: _Span, policy: ClockPolicy, calendar: WorkingCalendar, now: datetime
) -> ClockState:
    pauses = _pauses(case, span)
    at = _level_instants(span, pauses, policy, calendar)
    return ClockState(
        complaint_id=case.complaint_id,
        clock=span.clock,
        start=span.start,
        limit_days=span.limit_days,
        due=at[AlertLevel.OVERDUE],
        stopped_at=span.stop,
        paused_since=next((p.start for p in pauses if p.end is None), None),
        paused_days=_paused_days(calendar, span, pauses, now),
        alerts=tuple(
            AlertPoint(level, at[level]) for level in policy.levels.get(span.clock, ALL_LEVELS)
        ),
    )


def _level_instants(
    span: _Span, pauses: Sequence[Postponement], policy: ClockPolicy, calendar: WorkingCalendar
) -> dict[AlertLevel, datetime | None]:
    """When each level is reached; `overdue` (the due time) always, the others when alerted."""
    amounts = {
        AlertLevel.AT_RISK: span.limit_days * policy.at_risk_share,
        AlertLevel.OVERDUE: span.limit_days,
        AlertLevel.ESCALATED: span.limit_days + policy.escalation_grace_days,
    }
    wanted = {AlertLevel.OVERDUE, *policy.levels.get(span.clock, ALL_LEVELS)}
    return {level: _when_used(calendar, span.start, pauses, amounts[level]) for level in wanted}


def _pauses(case: ClockInput, span: _Span) -> list[Postponement]:
    """The postponements that hold this clock: after its start, begun before it stopped."""
    if span.clock not in PAUSABLE:
        return []
    return sorted(
        (
            p
            for p in case.postponements
            if (p.end is None or p.end > span.start) and (span.stop is None or p.start < span.stop)
        ),
        key=lambda p: p.start,
    )


def _when_used(
    calendar: WorkingCalendar, start: datetime, pauses: Sequence[Postponement], days: float
) -> datetime | None:
    """The instant `days` of running working time have passed since `start`, skipping pauses;
    None when an open pause begins before that."""
    cursor, left = start, days
    for pause in pauses:
        if pause.end is not None and pause.end <= cursor:
            continue  # overlapped by an earlier pause
        used = calendar.elapsed_days(cursor, max(pause.start, cursor))
        if used >= left:
            break
        if pause.end is None:
            return None
        left, cursor = left - used, pause.end
    return calendar.add_days(cursor, left)


def _paused_days(
    calendar: WorkingCalendar, span: _Span, pauses: Sequence[Postponement], now: datetime
) -> float:
    until = span.stop or now
    total, cursor = 0.0, span.start
    for pause in pauses:
        begin, end = max(pause.start, cursor), min(pause.end or until, until)
        if end > begin:
            total += calendar.elapsed_days(begin, end)
            cursor = end
    return total


def _spans(case: ClockInput, policy: ClockPolicy) -> list[_Span]:
    """The clocks the case has started, each with its start, limit and stop."""
    builders = (_verification, _first_follow_up, _substantive, _completion, _tunda, _auto_close)
    spans = (build(case, policy) for build in builders)
    return [_ended(case, span) for span in spans if span is not None]


def _verification(case: ClockInput, policy: ClockPolicy) -> _Span | None:
    if case.received_at is None:
        return None
    days = policy.verification_days
    return _Span(ClockName.VERIFICATION, case.received_at, days, case.disposed_at)


def _first_follow_up(case: ClockInput, policy: ClockPolicy) -> _Span | None:
    start = _opd_start(case)
    if start is None:
        return None
    stop = _first_from(start, (answer.at for answer in case.answers))
    return _Span(ClockName.FIRST_FOLLOW_UP, start, policy.first_follow_up_days, stop)


def _substantive(case: ClockInput, policy: ClockPolicy) -> _Span | None:
    start, days = _opd_start(case), policy.substantive_reply_days
    if start is None or days is None:
        return None
    stop = _first_from(start, (answer.at for answer in case.answers if answer.substantive))
    return _Span(ClockName.SUBSTANTIVE_REPLY, start, days, stop)


def _completion(case: ClockInput, policy: ClockPolicy) -> _Span | None:
    if case.received_at is None:
        return None
    start = max(case.received_at, case.reopened_at or case.received_at)
    limits = policy.completion_days
    days = limits.get(case.classification or policy.default_classification)
    days = days or limits.get(policy.default_classification)
    if days is None:
        return None
    stop = _first_from(start, [case.resolved_at] if case.resolved_at else [])
    return _Span(ClockName.COMPLETION, start, days, stop)


def _tunda(case: ClockInput, policy: ClockPolicy) -> _Span | None:
    if not case.postponements:
        return None
    last = max(case.postponements, key=lambda pause: pause.start)
    return _Span(ClockName.TUNDA, last.start, policy.tunda_days, last.end)


def _auto_close(case: ClockInput, policy: ClockPolicy) -> _Span | None:
    answered = [] if policy.auto_close_needs_resolution else [a.at for a in case.answers]
    since = case.reopened_at
    ends = [at for at in (*answered, case.resolved_at) if at and (since is None or at >= since)]
    if not ends:
        return None
    start = max(ends)
    stop = min((reply for reply in case.replies if reply > start), default=None)
    return _Span(ClockName.AUTO_CLOSE, start, policy.auto_close_days, stop)


def _opd_start(case: ClockInput) -> datetime | None:
    """The OPD clocks run from the latest assignment, or from a later reopen."""
    if case.assigned_at is None:
        return None
    return max(case.assigned_at, case.reopened_at or case.assigned_at)


def _first_from(start: datetime, times: Iterable[datetime]) -> datetime | None:
    return min((at for at in times if at >= start), default=None)


def _ended(case: ClockInput, span: _Span) -> _Span:
    """Closing or archiving the case stops every clock still running then."""
    end = case.ended_at
    if end is None or end < span.start or (span.stop is not None and span.stop <= end):
        return span
    return _Span(span.clock, span.start, span.limit_days, end)
