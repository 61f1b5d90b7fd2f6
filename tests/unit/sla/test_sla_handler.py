"""The case handler with in-memory repositories: state, view, CaseResolved, refusals, held
events and replays, without Kafka or Mongo (the edges are tested for real in tests/integration)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.sla.case import Case
from services.sla.handler import CaseHandler, InvalidTransition
from services.sla.repository import StaleCase, Stored
from services.sla.view import CaseDocument
from shared.events import CaseResolved, Envelope, decode, encode
from shared.kafka.records import Outgoing, Received, Refused, Result, Then
from tests.support.events import REPORTER, T0, assigned, follow_up, received, resolved

CID = "01JHANDLER0000000000000001"


class MemoryStates:
    """The state collection as a dict; `save_many` checks revisions like the real one."""

    def __init__(self) -> None:
        self.docs: dict[str, Stored] = {}
        self.reads = 0

    def load_many(self, complaint_ids: Iterable[str]) -> dict[str, Stored]:
        self.reads += 1
        return {cid: self.docs[cid] for cid in set(complaint_ids) if cid in self.docs}

    def save_many(self, changes: Sequence[tuple[Case, int]], *, held_max_age: timedelta) -> None:
        for case, revision in changes:
            current = self.docs.get(case.complaint_id)
            if (current.revision if current else 0) != revision:
                raise StaleCase("changed meanwhile")
        for case, revision in changes:
            self.docs[case.complaint_id] = Stored(case, revision + 1)

    def with_expired_held(self, now: datetime) -> list[Stored]:
        return [s for s in self.docs.values() if s.case.held]


class MemoryViews:
    def __init__(self) -> None:
        self.docs: dict[str, CaseDocument] = {}

    def upsert_many(self, docs: Iterable[CaseDocument]) -> None:
        self.docs.update((doc.id, doc) for doc in docs)


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: tuple[()] = ()


def batch_of(*events: Envelope[Any]) -> list[Received[Envelope[Any]]]:
    return [
        Received(Record("t", 0, n, e.subject.encode(), encode(e)), e) for n, e in enumerate(events)
    ]


def run(handler: CaseHandler, *events: Envelope[Any]) -> list[Result]:
    """Handle one batch as the loop does: results first, then the `Then` work."""
    results = handler.handle_batch(batch_of(*events))
    for result in results:
        if isinstance(result, Then):
            result.action()
    return [r for r in results if not isinstance(r, Then)]


@pytest.fixture
def parts() -> tuple[CaseHandler, MemoryStates, MemoryViews]:
    states, views = MemoryStates(), MemoryViews()
    handler = CaseHandler(
        states=states,  # type: ignore[arg-type]
        views=views,  # type: ignore[arg-type]
        service="sla",
        resolved_topic="complaints.resolved",
        held_max_age=timedelta(minutes=10),
        clock=lambda: T0,
    )
    return handler, states, views


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
    del views.docs[CID]  # as if the view write had failed the first time

    again = run(handler, *events)

    assert states.docs[CID] == state
    assert views.docs[CID] == view, "the replay heals the view, unchanged"
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
