"""The clocks of a stored case: its ClockInput, its clock states, the alerts now due, the next
due instant for the timer, and the events an alert calls for. Pure: `now` is an argument."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from services.sla.calendar import Calendars, WorkingCalendar
from services.sla.case import Case
from services.sla.clocks import (
    Alert,
    AlertLevel,
    Answer,
    ClockInput,
    ClockName,
    ClockPolicy,
    ClockState,
    Postponement,
    clock_states,
    due_alerts,
)
from shared.events import (
    CloseReason,
    ComplaintClosed,
    Envelope,
    FollowUpKind,
    Payload,
    SlaAlert,
    SlaAlertLevel,
    SlaClock,
    new_event,
)
from shared.events.factory import derived_id
from shared.events.registry import type_of
from shared.lifecycle import Status

P = TypeVar("P", bound=Payload)


def clock_input(case: Case) -> ClockInput:
    """Return the times of `case` that its clocks start and stop on."""
    return ClockInput(
        complaint_id=case.complaint_id,
        received_at=case.received_at,
        classification=case.classification,
        disposed_at=case.disposed_at,
        assigned_at=case.assigned_at,
        reopened_at=case.reopened_at,
        answers=tuple(
            Answer(f.at, f.effective is FollowUpKind.SUBSTANTIVE) for f in case.follow_ups
        ),
        replies=case.replies,
        postponements=tuple(Postponement(p.start, p.end) for p in case.postponements),
        resolved_at=case.resolved_at,
        ended_at=case.closed_at,
    )


@dataclass(frozen=True)
class Timing:
    """The clock policy and the regions' calendars, applied to cases."""

    policy: ClockPolicy
    calendars: Calendars

    def calendar(self, case: Case) -> WorkingCalendar:
        """Return the working calendar of the case's region."""
        return self.calendars.for_region(case.region_code)

    def states(self, case: Case, now: datetime) -> tuple[ClockState, ...]:
        """Return every clock the case has started, as of `now`."""
        return clock_states(clock_input(case), self.policy, self.calendar(case), now)

    def due(self, case: Case, now: datetime) -> list[Alert]:
        """Return the alerts reached by `now` and not sent yet, oldest first."""
        return due_alerts(self.states(case, now), now, case.sent_alert_ids)


def alert_event(case: Case, alert: Alert, *, limit_days: float, source: str) -> Envelope[SlaAlert]:
    """The SlaAlert event of `alert`: its id is the alert id, so a replay sends the same one."""
    data = SlaAlert(
        tracking_number=case.tracking_number,
        clock=SlaClock(alert.clock.value),
        level=SlaAlertLevel(alert.level.value),
        reached_at=alert.at,
        due_at=alert.due,
        clock_start=alert.clock_start,
        limit_days=limit_days,
        opd_code=case.opd_code,
        region_code=case.region_code,
        classification=case.classification,
        case_version=case.version,
    )
    return _event(case, data, alert.alert_id, alert.at, source)


def closing_event(case: Case, alert: Alert, *, source: str) -> Envelope[ComplaintClosed] | None:
    """The ComplaintClosed an auto-close alert calls for; None unless the case is resolved (the
    transition table closes only a resolved case)."""
    if alert.clock is not ClockName.AUTO_CLOSE or alert.level is not AlertLevel.OVERDUE:
        return None
    if case.status is not Status.RESOLVED:
        return None
    data = ComplaintClosed(
        closed_at=alert.at, reason=CloseReason.AUTO_CLOSE, case_version=case.version
    )
    event_id = derived_id(alert.alert_id, type_of(ComplaintClosed)[0])
    return _event(case, data, event_id, alert.at, source)


def _event(case: Case, data: P, event_id: str, at: datetime, source: str) -> Envelope[P]:
    return new_event(
        data,
        complaint_id=case.complaint_id,
        source=source,
        correlation_id=case.correlation_id or event_id,
        time=at,
        event_id=event_id,
    )
