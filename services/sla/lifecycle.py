"""The case state machine: one event and the current case in, a decision out. Pure.

`TRANSITIONS` (in `shared.lifecycle`, which the OPD gateway checks its inbox actions against
too) is the whole of it: (status, kind of event) -> the next status, KEEP (merge the
event's data, the status stays), HOLD (too early: keep the event until the case can take it),
or no entry, which refuses the event (it goes to the dead-letter topic, the case unchanged).
`None` is the status of a case not seen yet. Guards refuse what the table alone cannot see: an
OPD event from an OPD that does not own the case, an assignment to another OPD than the one the
case has (a move is a reassignment).

Why HOLD: the sla reads received, assigned and updates as one stream, but Kafka orders a case's
records only within one topic's partition, so an OPD's follow-up may be read before the
assignment that gave it the case. Such an event is held in the case and applied once the case
can take it; a held event still refused then, or never released (`expire_held`), is
dead-lettered. Rows for reassign, return, postpone, reopen, close and archive are in the table
already; their events arrive with the router's triage API and the sla's clocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from services.sla.case import Case, HeldEvent
from services.sla.merge import Conflict, merge, resolution_due
from shared.events import CaseResolved, Envelope
from shared.lifecycle import (
    FROM_OPD,
    HOLD,
    KEEP,
    TRANSITIONS,
    Kind,
    Status,
    kind_of,
)


@dataclass(frozen=True)
class Applied:
    """The event changed the case; `resolved` is set when a CaseResolved must be emitted.
    `refused` lists held events that the new state refuses (to dead-letter)."""

    case: Case
    previous: Case | None
    resolved: CaseResolved | None = None
    refused: tuple[tuple[HeldEvent, str], ...] = field(default=())


@dataclass(frozen=True)
class Duplicate:
    """The event was applied before: nothing to do."""

    case: Case


@dataclass(frozen=True)
class Rejected:
    """The event is not a valid transition of this case; it goes to the dead-letter topic."""

    reason: str


Decision = Applied | Duplicate | Rejected
Decoder = Callable[[bytes], Envelope[Any]]


def apply(
    current: Case | None,
    event: Envelope[Any],
    *,
    hold: Callable[[], HeldEvent],
    decode: Decoder,
    keep_event_ids: int = 64,
) -> Decision:
    """Decide what `event` does to `current` (None when the case is unknown).

    `hold` makes the HeldEvent of this event, should it have to wait; `decode` reads held
    events back when the case may now take them.
    """
    if current is not None and event.id in current.recent_event_ids:
        return Duplicate(current)
    step = _step(current, event, keep_event_ids, hold)
    if isinstance(step, Rejected):
        return step
    case, refused = _release_held(step, decode, keep_event_ids)
    case, resolved = resolution_due(case)
    return Applied(case=case, previous=current, resolved=resolved, refused=tuple(refused))


def _step(
    current: Case | None, event: Envelope[Any], keep_event_ids: int, hold: Callable[[], HeldEvent]
) -> Case | Rejected:
    """Apply one event by the table, without releasing held events."""
    kind = kind_of(event.data)
    if kind is None:
        return Rejected(f"{event.type} is not an event of the case lifecycle")
    status = current.status if current is not None else None
    target = TRANSITIONS.get((status, kind))
    if target is None:
        return Rejected(f"{kind} is not allowed when the case is {status or 'unknown'}")
    refusal = _guard(current, kind, event.data)
    if refusal is not None:
        return Rejected(refusal)
    if target is HOLD:
        return _held(current, event.subject, hold())
    try:
        case = merge(current, event)
    except Conflict as exc:
        return Rejected(str(exc))
    new_status = case.status if target is KEEP else target
    ids = (*case.recent_event_ids, event.id)[-keep_event_ids:]
    return case.model_copy(update={"status": new_status, "recent_event_ids": ids})


def _guard(case: Case | None, kind: Kind, data: Any) -> str | None:
    """Refuse what the table cannot see: the sender is not the case's OPD."""
    if case is None or case.opd_code is None:
        return None
    if kind in FROM_OPD and data.opd_code != case.opd_code:
        return f"{kind} from OPD {data.opd_code!r}, but the case belongs to {case.opd_code!r}"
    if kind is Kind.ASSIGNED and data.opd_code != case.opd_code:
        return f"assigned to {data.opd_code!r}, but the case is with {case.opd_code!r}; a move is a reassignment"
    return None


def _held(current: Case | None, complaint_id: str, held: HeldEvent) -> Case:
    case = current or Case(complaint_id=complaint_id, status=Status.RECEIVED)
    if any(h.event_id == held.event_id for h in case.held):
        return case
    return case.model_copy(update={"held": (*case.held, held)})


def _release_held(
    case: Case, decode: Decoder, keep_event_ids: int
) -> tuple[Case, list[tuple[HeldEvent, str]]]:
    """Apply the held events the case can take now, until none moves; return the refused."""
    refused: list[tuple[HeldEvent, str]] = []
    moved = True
    while moved:
        moved = False
        for held in case.held:
            rest = case.model_copy(update={"held": tuple(h for h in case.held if h is not held)})
            step = _step(rest, decode(held.value.encode()), keep_event_ids, partial(_same, held))
            if isinstance(step, Rejected):
                refused.append((held, step.reason))
                case, moved = rest, True
                break
            if held not in step.held:  # applied; one still too early comes back held
                case, moved = step, True
                break
    return case, refused


def _same(held: HeldEvent) -> HeldEvent:
    return held


def expire_held(case: Case, now: datetime, max_age: timedelta) -> tuple[Case, list[HeldEvent]]:
    """Take out the held events older than `max_age`: their case never became ready."""
    expired = [h for h in case.held if now - h.held_at > max_age]
    if not expired:
        return case, []
    kept = tuple(h for h in case.held if h not in expired)
    return case.model_copy(update={"held": kept}), expired
