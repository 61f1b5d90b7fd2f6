"""The case handler with in-memory repositories: state, view, CaseResolved, refusals, held
events and replays, without Kafka or Mongo (the edges are tested for real in tests/integration)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
import pytest

from services.sla.followups import FollowUpPolicy
from services.sla.handler import CaseHandler, InvalidTransition
from services.sla.repository import StaleCase, Stored
from shared.events import CaseResolved, CaseResolvedV2, Envelope, FollowUpKind, decode, encode
from shared.kafka.records import Outgoing, Refused, Result, Then
from tests.support.events import REPORTER, T0, assigned, follow_up, received, resolved
from tests.unit.sla.memory_store import MemoryStates, MemoryViews, Sla, batch_of, finish

CID = "01JHANDLER0000000000000001"


def run(handler: CaseHandler, *events: Envelope[Any]) -> list[Result]:
    """Handle one batch as the loop does: results first, then the `Then` work."""
    return finish(handler.handle_batch(batch_of(*events)))


@pytest.fixture
def parts() -> tuple[CaseHandler, MemoryStates, MemoryViews]:
    sla = Sla()
    return sla.handler, sla.states, sla.views


def test_a_batch_reads_once_and_ends_in_one_case_resolved_and_a_view_without_personal_data(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, views = parts
    sent = run(handler, received(CID), assigned(CID), follow_up(CID), resolved(CID))

    assert states.reads == 1
    assert [out.topic for out in sent if isinstance(out, Outgoing)] == ["complaints.resolved"]
    event = decode(sent[0].value)  # type: ignore[union-attr]
    assert isinstance(event.data, CaseResolved)
    assert event.subject == CID
    assert states.docs[CID].case.status == "resolved"
    assert states.docs[CID].revision == 1, "one write per batch"
    view = views.docs[CID].model_dump_json()
    assert views.docs[CID].status == "resolved"
    assert REPORTER.name not in view and "081234567890" not in view


def resolutions(results: list[Result]) -> list[Envelope[Any]]:
    return [decode(r.value) for r in results if isinstance(r, Outgoing)]


def test_case_resolved_v2_carries_the_declared_kind_next_to_the_judgement() -> None:
    sla = Sla(followups=FollowUpPolicy(template_codes={"dpupr": frozenset({"T01"})}))
    # Declared substantive, but sent with a registered template code; the OPD's events come
    # before the assignment (held), so the resolution is applied in the batch of the assignment.
    template = follow_up(CID, text="Laporan Anda kami terima dan dipelajari.", template_code="T01")
    assert sla.run(template, resolved(CID)) == []
    [event] = resolutions(sla.run(received(CID), assigned(CID)))
    assert event.dataversion == 2 and isinstance(event.data, CaseResolvedV2)
    [posted] = event.data.follow_ups
    assert posted.kind is FollowUpKind.SUBSTANTIVE, "the kind the OPD declared"
    assert posted.judged_kind is FollowUpKind.NORMATIVE and posted.judged_rule == "template_code"
    assert "T01" in posted.judged_reason


def test_case_resolved_v1_for_consumers_not_upgraded_yet() -> None:
    sla = Sla(resolved_version=1)
    [event] = resolutions(sla.run(received(CID), assigned(CID), follow_up(CID), resolved(CID)))
    assert event.dataversion == 1 and type(event.data) is CaseResolved
    assert "judged_kind" not in orjson.loads(encode(event))["data"]["follow_ups"][0]


def test_an_invalid_transition_is_refused_and_changes_nothing(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, _ = parts
    run(handler, received(CID), assigned(CID), resolved(CID))
    before = states.docs[CID]
    [refused] = run(handler, follow_up(CID, hours=60))
    assert isinstance(refused, Refused) and isinstance(refused.error, InvalidTransition)
    assert "resolved" in str(refused.error)
    assert states.docs[CID] == before


def test_the_same_batch_twice_changes_nothing_and_sends_the_same_events(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, views = parts
    events = (received(CID), assigned(CID), follow_up(CID), resolved(CID))
    first = run(handler, *events)
    state, view = states.docs[CID], views.docs[CID]

    again = run(handler, *events)

    assert states.docs[CID] == state, "nothing written: the view was stored with its state"
    assert views.docs[CID] == view
    assert [o.value for o in again] == [o.value for o in first]  # type: ignore[union-attr]


def test_a_replayed_event_of_an_open_case_sends_nothing(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, _, _ = parts
    first = received(CID)
    run(handler, first)
    assert run(handler, first) == []


def test_opd_events_before_the_case_are_held_without_a_view_and_applied_on_assignment(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, views = parts
    assert run(handler, follow_up(CID)) == []
    assert len(states.docs[CID].case.held) == 1 and CID not in views.docs
    run(handler, received(CID), assigned(CID))
    assert views.docs[CID].status == "in_progress"
    assert states.docs[CID].case.held == ()


def test_held_events_whose_case_never_comes_are_dead_lettered_from_their_record(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, _ = parts
    handler._now = lambda: T0  # type: ignore[method-assign]
    event = follow_up(CID)
    run(handler, event)
    handler._now = lambda: T0 + timedelta(minutes=11)  # type: ignore[method-assign]
    results = handler.sweep_held()
    [refused] = [r for r in results if isinstance(r, Refused)]
    assert refused.received.record.value == encode(event)
    assert refused.received.record.offset == 0
    for then in (r for r in results if isinstance(r, Then)):
        then.action()
    assert states.docs[CID].case.held == ()


def test_a_concurrent_writer_makes_the_store_a_retryable_conflict(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, _ = parts
    run(handler, received(CID))
    results = handler.handle_batch(batch_of(assigned(CID)))
    stored = states.docs[CID]
    states.docs[CID] = Stored(stored.case, stored.revision + 1)  # someone else stored meanwhile
    [then] = [r for r in results if isinstance(r, Then)]
    with pytest.raises(StaleCase):
        then.action()
    assert run(handler, assigned(CID)) == []
    assert states.docs[CID].case.status == "assigned"


def test_the_held_sweep_reads_only_the_cases_holding_an_expired_event(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, _ = parts
    other = "01JHANDLER0000000000000002"
    handler._now = lambda: T0  # type: ignore[method-assign]
    run(handler, received(other), assigned(other))  # a case holding nothing
    assert handler.sweep_held() == [] and states.reads == 1, "nothing held: nothing read"
    run(handler, follow_up(CID))  # held: the case is unknown
    handler._now = lambda: T0 + timedelta(minutes=5)  # type: ignore[method-assign]
    assert handler.sweep_held() == [] and states.reads == 2, "held, not expired: nothing read"
    handler._now = lambda: T0 + timedelta(minutes=11)  # type: ignore[method-assign]
    read = states.load_many

    def counted(ids: Any) -> Any:
        asked.extend(ids)
        return read(ids)

    asked: list[str] = []
    states.load_many = counted  # type: ignore[method-assign]
    results = handler.sweep_held()
    assert any(isinstance(r, Refused) for r in results) and asked == [CID]
    finish(results)
    assert states.docs[CID].case.held == ()
    assert handler.sweep_held() == [], "released: forgotten"
