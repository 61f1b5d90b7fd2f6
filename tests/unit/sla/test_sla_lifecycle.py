"""The case state machine: each transition, out-of-order merges, rejections, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.sla.case import Case
from services.sla.lifecycle import Applied, Duplicate, Rejected, expire_held
from shared.events import Envelope, FollowUpKind, decode, encode
from shared.lifecycle import TRANSITIONS, Kind, Status
from tests.support.events import (
    T0,
    assigned,
    closed,
    follow_up,
    received,
    reopened,
    resolved,
)
from tests.unit.sla.lifecycle_support import run, step

CID = "01JCASE0000000000000000001"


def test_received_creates_a_case_without_reporter_data() -> None:
    case = run(received(CID))
    assert case.status is Status.RECEIVED
    assert case.tracking_number == "ADU-0001"
    assert case.received_at == T0
    assert case.region_code == "35.78"
    assert "Siti" not in case.model_dump_json()
    assert [e.status for e in case.timeline] == [Status.RECEIVED]


def test_assignment_moves_received_to_assigned() -> None:
    case = run(received(CID), assigned(CID))
    assert case.status is Status.ASSIGNED
    assert case.opd_code == "dpupr"
    assert case.assigned_at == T0 + timedelta(hours=1)


def test_triage_then_assignment() -> None:
    case = run(received(CID), assigned(CID, opd="triage", triage=True))
    assert case.status is Status.TRIAGE
    assert case.opd_code is None and case.assigned_at is None
    case = run(received(CID), assigned(CID, triage=True), assigned(CID, opd="dinkes", hours=3))
    assert case.status is Status.ASSIGNED
    assert case.opd_code == "dinkes"


def test_follow_up_moves_to_in_progress_and_records_first_times() -> None:
    case = run(
        received(CID),
        assigned(CID),
        follow_up(CID, kind=FollowUpKind.NORMATIVE, hours=2),
        follow_up(CID, kind=FollowUpKind.SUBSTANTIVE, hours=6),
    )
    assert case.status is Status.IN_PROGRESS
    assert case.first_follow_up_at == T0 + timedelta(hours=2)
    assert case.first_substantive_at == T0 + timedelta(hours=6)
    assert [f.kind for f in case.follow_ups] == ["normative", "substantive"]


def test_resolution_emits_case_resolved_once() -> None:
    case = run(received(CID), assigned(CID), follow_up(CID))
    decision = step(case, resolved(CID))
    assert isinstance(decision, Applied)
    assert decision.case.status is Status.RESOLVED
    assert decision.resolved is not None
    assert decision.resolved.case_version == 1
    assert decision.resolved.first_follow_up_at == T0 + timedelta(hours=5)
    assert len(decision.resolved.follow_ups) == 1
    assert "reporter" not in decision.resolved.model_dump()
    again = step(decision.case, resolved(CID, hours=50))
    assert isinstance(again, Rejected)
    assert "not allowed when the case is resolved" in again.reason


def test_assigned_may_resolve_without_follow_up() -> None:
    case = run(received(CID), assigned(CID), resolved(CID))
    assert case.status is Status.RESOLVED
    assert case.first_follow_up_at is None


def test_assigned_before_received_merges_without_regressing() -> None:
    case = run(assigned(CID), received(CID))
    assert case.status is Status.ASSIGNED
    assert case.opd_code == "dpupr"
    assert case.title == "Jalan berlubang"
    assert [e.status for e in case.timeline] == [Status.RECEIVED, Status.ASSIGNED]


def test_late_triage_assignment_does_not_regress() -> None:
    case = run(received(CID), assigned(CID, hours=3), assigned(CID, triage=True, hours=1))
    assert case.status is Status.ASSIGNED
    assert case.opd_code == "dpupr"
    assert [e.status for e in case.timeline] == [Status.RECEIVED, Status.TRIAGE, Status.ASSIGNED]


def test_an_assignment_to_another_opd_is_refused_a_move_is_a_reassignment() -> None:
    case = run(received(CID), assigned(CID, hours=1), follow_up(CID, hours=2))
    decision = step(case, assigned(CID, opd="dinkes", hours=1))
    assert isinstance(decision, Rejected)
    assert "reassignment" in decision.reason


def test_resolution_before_received_emits_when_the_complaint_arrives() -> None:
    case = run(assigned(CID), resolved(CID))
    assert case.status is Status.RESOLVED
    decision = step(case, received(CID))
    assert isinstance(decision, Applied)
    assert decision.resolved is not None
    assert decision.resolved.title == "Jalan berlubang"
    assert decision.case.resolved_emitted_version == 1


def test_opd_events_read_before_the_case_are_held_then_applied_when_it_is_assigned() -> None:
    # After a lag, complaints.updates may be read before complaints.received/assigned.
    case = run(follow_up(CID, hours=30), resolved(CID))
    assert (case.status, case.tracking_number, len(case.held)) == (Status.RECEIVED, None, 2)
    case = run(received(CID), case=case)
    assert case.status is Status.RECEIVED and len(case.held) == 2  # still no OPD
    after = step(case, assigned(CID))
    assert isinstance(after, Applied)
    assert after.case.status is Status.RESOLVED and after.case.held == ()
    assert after.case.first_follow_up_at is not None
    assert after.resolved is not None and after.resolved.tracking_number == "ADU-0001"


def test_a_held_event_from_another_opd_is_refused_when_the_case_is_assigned() -> None:
    case = run(received(CID), follow_up(CID, opd="dinkes"))
    after = step(case, assigned(CID, opd="dpupr"))
    assert isinstance(after, Applied)
    assert after.case.status is Status.ASSIGNED and after.case.held == ()
    [(held, reason)] = after.refused
    assert "'dinkes'" in reason and "'dpupr'" in reason
    assert decode(held.value.encode()).data.opd_code == "dinkes"


def test_held_events_expire_when_their_case_never_comes() -> None:
    case = run(follow_up(CID))
    kept, expired = expire_held(case, T0 + timedelta(minutes=5), timedelta(minutes=10))
    assert expired == [] and kept == case
    kept, expired = expire_held(case, T0 + timedelta(minutes=11), timedelta(minutes=10))
    assert [h.event_id for h in expired] == [case.held[0].event_id] and kept.held == ()


def test_the_same_follow_up_sent_twice_is_stored_once() -> None:
    case = run(received(CID), assigned(CID), follow_up(CID), follow_up(CID))
    assert len(case.follow_ups) == 1
    assert [e.status for e in case.timeline].count(Status.IN_PROGRESS) == 1


@pytest.mark.parametrize(
    ("history", "event", "reason"),
    [
        (
            (received(CID), assigned(CID), resolved(CID)),
            follow_up(CID, hours=60),
            "not allowed when the case is resolved",
        ),
        ((received(CID),), assigned(CID, tracking="ADU-9999"), "tracking number"),
        ((received(CID), assigned(CID)), follow_up(CID, opd="dinkes"), "belongs to 'dpupr'"),
        ((received(CID), assigned(CID)), resolved(CID, opd="dinkes"), "belongs to 'dpupr'"),
        (
            (received(CID), assigned(CID, opd="triage", triage=True)),
            resolved(CID, opd="triage"),
            "not allowed when the case is triage",
        ),
        (
            (received(CID), assigned(CID, opd="triage", triage=True)),
            follow_up(CID, opd="dinkes"),
            "not allowed when the case is triage",
        ),
    ],
)
def test_invalid_transitions_are_rejected(
    history: tuple[Envelope[object], ...], event: Envelope[object], reason: str
) -> None:
    case = run(*history) if history else None
    decision = step(case, event)
    assert isinstance(decision, Rejected)
    assert reason in decision.reason


def test_every_state_takes_late_data_and_only_listed_moves() -> None:
    for status in [None, *Status]:
        for kind in (Kind.RECEIVED, Kind.TRIAGED, Kind.ASSIGNED):
            assert (status, kind) in TRANSITIONS, (status, kind)
    # Nothing leaves a closed or archived case but late data.
    for status in (Status.CLOSED, Status.ARCHIVED):
        moves = {k for (s, k) in TRANSITIONS if s is status}
        assert moves == {Kind.RECEIVED, Kind.TRIAGED, Kind.ASSIGNED}


def test_redelivered_event_is_a_duplicate() -> None:
    first = received(CID)
    case = run(first, assigned(CID))
    assert isinstance(step(case, first), Duplicate)


def test_only_the_last_n_event_ids_are_kept() -> None:
    events = [received(CID), assigned(CID), follow_up(CID), follow_up(CID, hours=6)]
    case: Case | None = None
    for event in events:
        decision = step(case, event, keep_event_ids=2)
        assert isinstance(decision, Applied)
        case = decision.case
    assert case is not None
    assert case.recent_event_ids == (events[2].id, events[3].id)


def test_case_state_round_trips_through_json() -> None:
    case = run(received(CID), assigned(CID), follow_up(CID), resolved(CID))
    assert Case.from_state(case.to_state()) == case


def test_events_survive_the_wire() -> None:
    event = decode(encode(received(CID)))
    case = run(event)
    assert case.channel == "whatsapp"


def test_a_reopen_makes_a_new_version_that_resolves_again() -> None:
    first = run(received(CID), assigned(CID), follow_up(CID), resolved(CID))
    case = run(reopened(CID, hours=72), case=first)
    assert case.status is Status.IN_PROGRESS
    assert case.version == 2
    assert case.reopened_at == T0 + timedelta(hours=72)
    assert case.replies == (T0 + timedelta(hours=72),)
    decision = step(case, resolved(CID, hours=100))
    assert isinstance(decision, Applied)
    assert decision.resolved is not None and decision.resolved.case_version == 2


def test_close_ends_a_resolved_case_and_a_closed_case_cannot_reopen() -> None:
    case = run(received(CID), assigned(CID), resolved(CID), closed(CID))
    assert case.status is Status.CLOSED
    assert case.closed_at == T0 + timedelta(hours=96)
    refused = step(case, reopened(CID, hours=120))
    assert isinstance(refused, Rejected)
    assert "not allowed when the case is closed" in refused.reason


def test_reopen_and_close_are_refused_before_a_resolution() -> None:
    case = run(received(CID), assigned(CID), follow_up(CID))
    assert isinstance(step(case, reopened(CID)), Rejected)
    assert isinstance(step(case, closed(CID)), Rejected)


def test_the_first_disposition_is_kept_and_a_triage_is_none() -> None:
    case = run(received(CID), assigned(CID, triage=True, opd="triage", hours=2))
    assert case.disposed_at is None
    case = run(assigned(CID, opd="dinkes", hours=5), case=case)
    assert case.disposed_at == T0 + timedelta(hours=5)
