"""The case state machine: each transition, out-of-order merges, rejections, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.sla.case import Case, Status
from services.sla.lifecycle import Applied, Duplicate, Rejected, apply
from shared.events import Envelope, FollowUpKind, decode, encode
from tests.support.events import T0, assigned, follow_up, received, resolved

CID = "01JCASE0000000000000000001"


def run(*events: Envelope[object]) -> Case:
    """Apply events in order, each of which must be applied; return the final case."""
    case: Case | None = None
    for event in events:
        decision = apply(case, event)
        assert isinstance(decision, Applied), decision
        case = decision.case
    assert case is not None
    return case


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
    decision = apply(case, resolved(CID))
    assert isinstance(decision, Applied)
    assert decision.case.status is Status.RESOLVED
    assert decision.resolved is not None
    assert decision.resolved.case_version == 1
    assert decision.resolved.first_follow_up_at == T0 + timedelta(hours=5)
    assert len(decision.resolved.follow_ups) == 1
    assert "reporter" not in decision.resolved.model_dump()
    again = apply(decision.case, resolved(CID, hours=50))
    assert isinstance(again, Rejected)
    assert "already resolved" in again.reason


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


def test_late_assignment_after_follow_up_fills_only_what_is_missing() -> None:
    case = run(received(CID), assigned(CID, hours=1))
    case = run_from(case, follow_up(CID, hours=2), assigned(CID, opd="dinkes", hours=1))
    assert case.status is Status.IN_PROGRESS
    assert case.opd_code == "dpupr"


def run_from(case: Case, *events: Envelope[object]) -> Case:
    for event in events:
        decision = apply(case, event)
        assert isinstance(decision, Applied), decision
        case = decision.case
    return case


def test_resolution_before_received_emits_when_the_complaint_arrives() -> None:
    case = run(assigned(CID), resolved(CID))
    assert case.status is Status.RESOLVED
    decision = apply(case, received(CID))
    assert isinstance(decision, Applied)
    assert decision.resolved is not None
    assert decision.resolved.title == "Jalan berlubang"
    assert decision.case.resolved_emitted_version == 1


def test_opd_events_read_before_the_case_merge_when_it_arrives() -> None:
    # After a lag, complaints.updates may be read before complaints.received/assigned.
    case = run(follow_up(CID, hours=30), resolved(CID))
    assert (case.status, case.tracking_number, case.has_complaint) == (Status.RESOLVED, None, False)
    assert case.first_follow_up_at is not None
    late = apply(case, received(CID))
    assert isinstance(late, Applied)
    assert late.resolved is not None and late.resolved.tracking_number == late.case.tracking_number
    after = apply(late.case, assigned(CID))
    assert isinstance(after, Applied)
    assert after.case.status is Status.RESOLVED
    assert after.case.assigned_at is not None and after.case.first_follow_up_at is not None


@pytest.mark.parametrize(
    ("history", "event", "reason"),
    [
        (
            (received(CID), assigned(CID), resolved(CID)),
            follow_up(CID, hours=60),
            "already resolved",
        ),
        ((received(CID),), assigned(CID, tracking="ADU-9999"), "tracking number"),
    ],
)
def test_invalid_transitions_are_rejected(
    history: tuple[Envelope[object], ...], event: Envelope[object], reason: str
) -> None:
    case = run(*history) if history else None
    decision = apply(case, event)
    assert isinstance(decision, Rejected)
    assert reason in decision.reason


def test_redelivered_event_is_a_duplicate() -> None:
    first = received(CID)
    case = run(first, assigned(CID))
    assert isinstance(apply(case, first), Duplicate)


def test_only_the_last_n_event_ids_are_kept() -> None:
    events = [received(CID), assigned(CID), follow_up(CID), follow_up(CID, hours=6)]
    case: Case | None = None
    for event in events:
        decision = apply(case, event, keep_event_ids=2)
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
