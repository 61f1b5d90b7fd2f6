"""The case handler with in-memory repositories: state, view, CaseResolved, rejections and
replays, without Kafka or Mongo (the edges are tested for real in tests/integration/sla)."""

from __future__ import annotations

import pytest

from services.sla.case import Case
from services.sla.handler import CaseHandler, InvalidTransition
from services.sla.repository import StaleCase
from services.sla.view import CaseDocument
from shared.events import CaseResolved, decode
from tests.support.events import REPORTER, assigned, follow_up, received, resolved

CID = "01JHANDLER0000000000000001"


class MemoryStates:
    """The state collection as a dict; `save` checks the revision like the real one."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple[Case, int]] = {}

    def load(self, complaint_id: str) -> tuple[Case | None, int]:
        return self.docs.get(complaint_id, (None, 0))

    def save(self, case: Case, revision: int) -> None:
        if self.docs.get(case.complaint_id, (None, 0))[1] != revision:
            raise StaleCase("changed meanwhile")
        self.docs[case.complaint_id] = (case, revision + 1)


class MemoryViews:
    def __init__(self) -> None:
        self.docs: dict[str, CaseDocument] = {}

    def upsert(self, doc: CaseDocument) -> None:
        self.docs[doc.id] = doc


@pytest.fixture
def parts() -> tuple[CaseHandler, MemoryStates, MemoryViews]:
    states, views = MemoryStates(), MemoryViews()
    handler = CaseHandler(
        states=states,  # type: ignore[arg-type]
        views=views,  # type: ignore[arg-type]
        service="sla",
        resolved_topic="complaints.resolved",
    )
    return handler, states, views


def test_a_lifecycle_ends_in_one_case_resolved_and_a_view_without_personal_data(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, views = parts
    sent = [
        out
        for e in (received(CID), assigned(CID), follow_up(CID), resolved(CID))
        for out in handler.handle(e)
    ]

    assert [out.topic for out in sent] == ["complaints.resolved"]
    event = decode(sent[0].value)
    assert isinstance(event.data, CaseResolved)
    assert (sent[0].key, event.subject) == (CID, CID)
    assert states.docs[CID][0].status == "resolved"
    assert states.docs[CID][1] == 4, "one stored revision per applied event"
    view = views.docs[CID].model_dump_json()
    assert views.docs[CID].status == "resolved"
    assert REPORTER.name not in view and "081234567890" not in view


def test_an_invalid_transition_raises_and_changes_nothing(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, _ = parts
    for event in (received(CID), assigned(CID), resolved(CID)):
        handler.handle(event)
    before = states.docs[CID]
    with pytest.raises(InvalidTransition, match="already resolved"):
        handler.handle(follow_up(CID, hours=60))
    assert states.docs[CID] == before


def test_a_replayed_event_stores_nothing_and_sends_the_resolution_again(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, views = parts
    last = resolved(CID)
    for event in (received(CID), assigned(CID), last):
        handler.handle(event)
    revision = states.docs[CID][1]
    del views.docs[CID]  # as if the view write had failed the first time

    again = handler.handle(last)

    assert states.docs[CID][1] == revision
    assert [decode(out.value).data.case_version for out in again] == [1]  # type: ignore[attr-defined]
    assert views.docs[CID].status == "resolved", "the replay heals the view"


def test_a_replayed_event_of_an_open_case_sends_nothing(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, _, _ = parts
    first = received(CID)
    handler.handle(first)
    assert handler.handle(first) == []


def test_opd_events_before_the_case_get_no_view_until_the_tracking_number_arrives(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, views = parts
    assert handler.handle(follow_up(CID)) == []
    assert CID in states.docs and CID not in views.docs
    handler.handle(received(CID))
    assert views.docs[CID].tracking_number == "ADU-0001"


def test_a_concurrent_writer_makes_the_save_a_retryable_conflict(
    parts: tuple[CaseHandler, MemoryStates, MemoryViews],
) -> None:
    handler, states, _ = parts
    handler.handle(received(CID))
    case, revision = states.docs[CID]
    states.docs[CID] = (case, revision + 1)  # someone else stored meanwhile

    original_load = states.load
    states.load = lambda cid: (case, revision)  # type: ignore[method-assign]
    with pytest.raises(StaleCase):
        handler.handle(assigned(CID))
    states.load = original_load  # type: ignore[method-assign]
    assert handler.handle(assigned(CID)) == []
    assert states.docs[CID][0].status == "assigned"
