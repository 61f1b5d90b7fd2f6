"""The SLA clocks: each clock's start, stop and limit, pauses, restarts, the three alert levels,
alerts once per clock and level, and deterministic alert ids."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from ulid import ULID

from services.sla.calendar import RegionCalendar, WorkingCalendar
from services.sla.clocks import (
    AlertLevel,
    Answer,
    ClockInput,
    ClockName,
    ClockPolicy,
    ClockState,
    Postponement,
    alert_id,
    clock_states,
    due_alerts,
    next_alert_at,
)
from shared.events import Classification

JKT = timezone(timedelta(hours=7))
CAL = WorkingCalendar(RegionCalendar())
POLICY = ClockPolicy()
CID = "01JCASE0000000000000000001"


def wib(day: int, hour: int = 8, minute: int = 0) -> datetime:
    """An instant in February 2025 (no holidays; the 3rd is a Monday), Jakarta time."""
    return datetime(2025, 2, day, hour, minute, tzinfo=JKT)


T0 = wib(3)  # Monday at opening


def states(
    case: ClockInput, now: datetime, policy: ClockPolicy = POLICY
) -> dict[ClockName, ClockState]:
    """The case's clocks as of `now`, by name."""
    return {state.clock: state for state in clock_states(case, policy, CAL, now)}


def clock(case: ClockInput, name: ClockName, now: datetime | None = None) -> ClockState:
    return states(case, now or wib(28))[name]


def levels_at(state: ClockState) -> dict[AlertLevel, datetime | None]:
    return {point.level: point.at for point in state.alerts}


RECEIVED = ClockInput(complaint_id=CID, received_at=T0)
ASSIGNED = replace(RECEIVED, disposed_at=wib(3, 10), assigned_at=wib(3, 10))


# --- each clock ----------------------------------------------------------------------------------


def test_verification_runs_three_working_days_with_its_three_alert_levels() -> None:
    state = clock(RECEIVED, ClockName.VERIFICATION, now=T0)
    assert state.running and state.due == wib(5, 16)
    assert levels_at(state) == {
        AlertLevel.AT_RISK: wib(5, 10),  # 75 % of 3 HK = 2.25 HK
        AlertLevel.OVERDUE: wib(5, 16),
        AlertLevel.ESCALATED: wib(7, 16),  # 2 HK of grace
    }


def test_verification_stops_when_the_case_is_disposed() -> None:
    state = clock(ASSIGNED, ClockName.VERIFICATION)
    assert state.stopped_at == wib(3, 10)
    assert not state.overdue(wib(28))


def test_a_case_known_only_from_an_assignment_has_only_the_opd_clocks() -> None:
    case = ClockInput(complaint_id=CID, assigned_at=T0)
    assert set(states(case, T0)) == {ClockName.FIRST_FOLLOW_UP, ClockName.SUBSTANTIVE_REPLY}


def test_first_follow_up_stops_at_any_answer_but_substantive_reply_only_at_a_substantive_one() -> (
    None
):
    case = replace(ASSIGNED, answers=(Answer(wib(4), substantive=False),))
    assert clock(case, ClockName.FIRST_FOLLOW_UP).stopped_at == wib(4)
    assert clock(case, ClockName.SUBSTANTIVE_REPLY).running
    assert clock(case, ClockName.SUBSTANTIVE_REPLY).due == wib(10, 10)  # 5 HK from assignment
    case = replace(case, answers=(*case.answers, Answer(wib(6), substantive=True)))
    assert clock(case, ClockName.SUBSTANTIVE_REPLY).stopped_at == wib(6)


def test_the_substantive_reply_clock_can_be_switched_off() -> None:
    policy = ClockPolicy(substantive_reply_days=None)
    assert ClockName.SUBSTANTIVE_REPLY not in states(ASSIGNED, T0, policy)


@pytest.mark.parametrize(
    ("classification", "due"),
    [
        (Classification.ASPIRASI, wib(7, 16)),
        (Classification.PERMINTAAN_INFORMASI, wib(7, 16)),
        (Classification.PENGADUAN, wib(20, 16)),
        (None, wib(20, 16)),  # unknown: pengaduan
        (Classification.PENGADUAN_PENGAWASAN, datetime(2025, 5, 8, 16, tzinfo=JKT)),  # past Lebaran
    ],
)
def test_completion_limit_follows_the_classification(
    classification: Classification | None, due: datetime
) -> None:
    case = replace(RECEIVED, classification=classification)
    assert clock(case, ClockName.COMPLETION).due == due


def test_a_partial_completion_table_falls_back_to_the_default_classification() -> None:
    policy = ClockPolicy.model_validate({"completion_days": {"pengaduan": 10}})
    case = replace(RECEIVED, classification=Classification.ASPIRASI)
    assert states(case, T0, policy)[ClockName.COMPLETION].limit_days == 10


def test_completion_stops_at_the_resolution() -> None:
    case = replace(ASSIGNED, resolved_at=wib(25))
    state = clock(case, ClockName.COMPLETION)
    assert state.stopped_at == wib(25)
    assert state.overdue(wib(28))  # resolved after the 14 HK: a breach


def test_tunda_runs_ten_working_days_and_only_its_due_time_alerts() -> None:
    case = replace(RECEIVED, disposed_at=wib(4), postponements=(Postponement(wib(4)),))
    state = clock(case, ClockName.TUNDA)
    assert state.due == wib(17, 16)
    assert [point.level for point in state.alerts] == [AlertLevel.OVERDUE]
    assert clock(case, ClockName.VERIFICATION).stopped_at == wib(4)


def test_auto_close_runs_from_the_last_answer_until_a_reply() -> None:
    answers = (Answer(wib(4), substantive=True), Answer(wib(5), substantive=True))
    case = replace(ASSIGNED, answers=answers)
    state = clock(case, ClockName.AUTO_CLOSE)
    assert (state.start, state.due) == (wib(5), wib(18, 16))
    replied = replace(case, replies=(wib(6),))
    assert clock(replied, ClockName.AUTO_CLOSE).stopped_at == wib(6)
    answered_again = replace(replied, answers=(*answers, Answer(wib(7), substantive=False)))
    assert clock(answered_again, ClockName.AUTO_CLOSE).start == wib(7)  # the clock resets


def test_auto_close_can_wait_for_the_resolution() -> None:
    policy = ClockPolicy(auto_close_needs_resolution=True)
    case = replace(ASSIGNED, answers=(Answer(wib(4), substantive=True),))
    assert ClockName.AUTO_CLOSE not in states(case, wib(5), policy)
    resolved = replace(case, resolved_at=wib(6))
    assert states(resolved, wib(6), policy)[ClockName.AUTO_CLOSE].start == wib(6)


def test_closing_the_case_stops_every_running_clock() -> None:
    case = replace(ASSIGNED, ended_at=wib(7))
    stopped = {name: state.stopped_at for name, state in states(case, wib(28)).items()}
    assert stopped[ClockName.VERIFICATION] == wib(3, 10)  # had stopped before
    assert stopped[ClockName.COMPLETION] == wib(7)
    assert stopped[ClockName.FIRST_FOLLOW_UP] == wib(7)


# --- pause and restart -----------------------------------------------------------------------------


def test_a_postponement_moves_the_due_time_by_the_working_time_paused() -> None:
    case = replace(ASSIGNED, postponements=(Postponement(wib(4), wib(6)),))
    state = clock(case, ClockName.COMPLETION)
    assert state.paused_days == 2.0
    assert state.due == CAL.add_days(wib(20, 16), 2) == wib(24, 16)
    assert clock(case, ClockName.FIRST_FOLLOW_UP).due == wib(12, 10)


def test_while_postponed_the_clock_has_no_due_time_and_sends_nothing() -> None:
    case = replace(ASSIGNED, postponements=(Postponement(wib(4)),))
    now = wib(28)
    state = clock(case, ClockName.COMPLETION, now)
    assert state.due is None and state.paused_since == wib(4)
    assert state.paused_days == pytest.approx(CAL.elapsed_days(wib(4), now))
    assert levels_at(state)[AlertLevel.AT_RISK] is None
    opd_clocks = [s for s in clock_states(case, POLICY, CAL, now) if s.clock is not ClockName.TUNDA]
    assert due_alerts(opd_clocks, now, sent=()) == []


def test_a_postponement_after_the_due_time_does_not_move_it() -> None:
    case = replace(RECEIVED, classification=Classification.ASPIRASI)
    late = replace(case, postponements=(Postponement(wib(10), wib(12)),))
    assert clock(late, ClockName.COMPLETION).due == clock(case, ClockName.COMPLETION).due
    escalated = levels_at(clock(late, ClockName.COMPLETION))[AlertLevel.ESCALATED]
    assert escalated == wib(13, 16)  # escalation comes after the pause: 2 HK later


def test_a_reassignment_restarts_the_opd_clocks() -> None:
    case = replace(ASSIGNED, answers=(Answer(wib(4), substantive=True),))
    moved = replace(case, assigned_at=wib(5))
    state = clock(moved, ClockName.FIRST_FOLLOW_UP)
    assert state.start == wib(5) and state.running  # the old OPD's answer does not count
    assert clock(moved, ClockName.COMPLETION).start == T0  # the citizen's deadline stays


def test_a_reopen_restarts_completion_and_the_opd_clocks() -> None:
    case = replace(ASSIGNED, answers=(Answer(wib(4), substantive=True),), resolved_at=wib(5))
    reopened = replace(case, reopened_at=wib(10))
    for name in (ClockName.COMPLETION, ClockName.FIRST_FOLLOW_UP):
        state = clock(reopened, name)
        assert state.start == wib(10) and state.running
    assert ClockName.AUTO_CLOSE not in states(reopened, wib(10))


# --- alerts --------------------------------------------------------------------------------------


def test_alerts_fall_due_level_by_level() -> None:
    def due_now(now: datetime) -> list[AlertLevel]:
        found = due_alerts(clock_states(RECEIVED, POLICY, CAL, now), now, sent=())
        return [alert.level for alert in found if alert.clock is ClockName.VERIFICATION]

    assert due_now(wib(5, 9, 59)) == []
    assert due_now(wib(5, 10)) == [AlertLevel.AT_RISK]
    assert due_now(wib(6)) == [AlertLevel.AT_RISK, AlertLevel.OVERDUE]
    assert due_now(wib(7, 16)) == list(AlertLevel)


def test_each_alert_fires_once_per_clock_and_level() -> None:
    sent: set[str] = set()
    fired: list[tuple[ClockName, AlertLevel]] = []
    now = T0
    while now < wib(28):  # a timer ticking every working-day hour, three weeks long
        for alert in due_alerts(clock_states(RECEIVED, POLICY, CAL, now), now, sent):
            sent.add(alert.alert_id)
            fired.append((alert.clock, alert.level))
        now += timedelta(hours=1)
    assert len(fired) == len(set(fired)) == 6  # verification and completion, three levels each


def test_a_stopped_clock_sends_nothing_more() -> None:
    now = wib(28)
    alerts = due_alerts(clock_states(ASSIGNED, POLICY, CAL, now), now, sent=())
    assert ClockName.VERIFICATION not in {alert.clock for alert in alerts}
    assert {alert.clock for alert in alerts} >= {ClockName.FIRST_FOLLOW_UP, ClockName.COMPLETION}


def test_next_alert_at_skips_what_was_sent() -> None:
    found = clock_states(RECEIVED, POLICY, CAL, T0)
    assert next_alert_at(found, sent=()) == wib(5, 10)
    first = due_alerts(found, wib(5, 10), sent=())
    assert next_alert_at(found, sent={alert.alert_id for alert in first}) == wib(5, 16)


def test_alert_ids_are_deterministic_ulids_that_change_with_the_start() -> None:
    first = due_alerts(clock_states(RECEIVED, POLICY, CAL, wib(28)), wib(28), sent=())
    again = due_alerts(clock_states(RECEIVED, POLICY, CAL, wib(28)), wib(28), sent=())
    assert [a.alert_id for a in first] == [a.alert_id for a in again]
    assert len({a.alert_id for a in first}) == len(first)
    ulid = ULID.from_str(first[0].alert_id)
    assert ulid.datetime == T0
    other = alert_id(CID, ClockName.VERIFICATION, AlertLevel.AT_RISK, T0 + timedelta(seconds=1))
    assert other != alert_id(CID, ClockName.VERIFICATION, AlertLevel.AT_RISK, T0)


def test_share_grace_and_levels_are_configuration() -> None:
    policy = ClockPolicy(
        at_risk_share=0.5,
        escalation_grace_days=0,
        levels={ClockName.VERIFICATION: (AlertLevel.AT_RISK, AlertLevel.ESCALATED)},
    )
    state = states(RECEIVED, T0, policy)[ClockName.VERIFICATION]
    assert levels_at(state) == {AlertLevel.AT_RISK: wib(4, 12), AlertLevel.ESCALATED: wib(5, 16)}


def test_a_level_reached_before_a_pause_waits_for_its_end() -> None:
    aspirasi = replace(RECEIVED, classification=Classification.ASPIRASI)
    paused = replace(aspirasi, postponements=(Postponement(wib(7)),))
    found = [
        s for s in clock_states(paused, POLICY, CAL, wib(10)) if s.clock is ClockName.COMPLETION
    ]
    assert levels_at(found[0])[AlertLevel.AT_RISK] == wib(6, 14)  # 3.75 HK, before the pause
    assert due_alerts(found, wib(10), sent=()) == []
    assert next_alert_at(found, sent=()) is None  # no timer spins on a paused clock
    resumed = [replace(found[0], due=wib(11, 16), paused_since=None)]
    assert [a.level for a in due_alerts(resumed, wib(10), sent=())] == [AlertLevel.AT_RISK]
