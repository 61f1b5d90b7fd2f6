"""The gateway's case tracking and the inbox's checks against the shared transition table."""

from __future__ import annotations

from datetime import UTC, datetime

from services.opd_gateway.case import OpdCase, track
from services.opd_gateway.inbox import (
    FollowUpCreate,
    PostponeCreate,
    Refusal,
    ResolveCreate,
    ReturnCreate,
    check,
    kind_of_action,
    payload_of,
    status_now,
)
from shared.events import ComplaintReassigned, FollowUpPosted, new_event
from shared.lifecycle import Kind, Status
from tests.support.events import dispatched, follow_up, resolved

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def tracked(*events: object) -> OpdCase | None:
    case: OpdCase | None = None
    for event in events:
        case = track(case, event, now=NOW, keep=64)  # type: ignore[arg-type]
    return case


def test_a_dispatch_makes_an_assigned_case_of_that_opd() -> None:
    case = tracked(dispatched("c1", "ADU-1", opd="3578-pupr"))
    assert case is not None
    assert (case.opd_code, case.status, case.tracking_number) == (
        "3578-pupr",
        Status.ASSIGNED,
        "ADU-1",
    )


def test_updates_move_the_status_as_the_sla_would_and_replays_change_nothing() -> None:
    dispatch, answer = dispatched("c1", opd="3578-pupr"), follow_up("c1", opd="3578-pupr")
    case = tracked(dispatch, answer)
    assert case is not None and case.status is Status.IN_PROGRESS
    assert tracked(dispatch, answer, answer, dispatch) == case
    done = tracked(dispatch, answer, resolved("c1", opd="3578-pupr"))
    assert done is not None and done.status is Status.RESOLVED


def test_an_update_of_a_case_never_dispatched_here_is_not_tracked() -> None:
    assert tracked(follow_up("c9", opd="other")) is None


def test_a_reassignment_moves_the_case_to_the_new_owner() -> None:
    move = ComplaintReassigned(opd_code="35-disdik", previous_opd="3578-pupr", by="koordinator",
                               reassigned_at=NOW)  # fmt: skip
    case = tracked(
        dispatched("c1", opd="3578-pupr"), new_event(move, complaint_id="c1", source="router")
    )
    assert case is not None and case.opd_code == "35-disdik"


def test_the_inbox_refuses_what_the_table_refuses_with_the_reason() -> None:
    assert check(Status.ASSIGNED, Kind.FOLLOW_UP) is Status.IN_PROGRESS
    assert check(Status.IN_PROGRESS, Kind.RESOLVED) is Status.RESOLVED
    assert check(Status.ASSIGNED, Kind.RETURNED) is Status.TRIAGE
    assert check(Status.ASSIGNED, Kind.POSTPONED) is Status.POSTPONED
    refused = check(Status.RESOLVED, Kind.RESOLVED)
    assert isinstance(refused, Refusal)
    assert "resolved" in refused.reason
    assert isinstance(check(Status.TRIAGE, Kind.FOLLOW_UP), Refusal)


def test_actions_accepted_but_not_yet_read_back_count_for_the_next_check() -> None:
    case = tracked(dispatched("c1", opd="3578-pupr"))
    assert case is not None
    now = status_now(case, [Kind.FOLLOW_UP, Kind.RESOLVED])
    assert now is Status.RESOLVED
    assert isinstance(check(now, Kind.FOLLOW_UP), Refusal)


def test_each_action_becomes_the_event_a_kafka_opd_would_send() -> None:
    body = FollowUpCreate(text=" Sudah ditambal. ", kind="substantive",
                          attachments=[{"url": "https://opd.example/foto.jpg"}])  # fmt: skip
    payload = payload_of(body, "3578-pupr", NOW)
    assert isinstance(payload, FollowUpPosted)
    assert (payload.opd_code, payload.text, payload.attachments[0].url) == (
        "3578-pupr", "Sudah ditambal.", "https://opd.example/foto.jpg",
    )  # fmt: skip
    kinds = [kind_of_action(b) for b in (
        body, ResolveCreate(resolution="x"), ReturnCreate(reason="y"),
        PostponeCreate(missing=["foto"], by="z"),
    )]  # fmt: skip
    assert kinds == [Kind.FOLLOW_UP, Kind.RESOLVED, Kind.RETURNED, Kind.POSTPONED]
