"""Driving the pure state machine in tests: apply events as the handler would."""

from __future__ import annotations

from typing import Any

from services.sla.case import Case, HeldEvent
from services.sla.lifecycle import Applied, Decision, apply
from shared.events import Envelope, decode, encode
from tests.support.events import T0


def held_of(event: Envelope[Any]) -> HeldEvent:
    """The HeldEvent the handler would make of `event` (read from topic `updates`)."""
    return HeldEvent(
        event_id=event.id,
        topic="updates",
        partition=0,
        offset=0,
        key=event.subject,
        value=encode(event).decode(),
        held_at=T0,
    )


def step(case: Case | None, event: Envelope[Any], **options: Any) -> Decision:
    """Apply one event as the handler does."""
    return apply(case, event, hold=lambda: held_of(event), decode=decode, **options)


def run(*events: Envelope[Any], case: Case | None = None) -> Case:
    """Apply events in order, each of which must be applied; return the final case."""
    for event in events:
        decision = step(case, event)
        assert isinstance(decision, Applied), decision
        case = decision.case
    assert case is not None
    return case
