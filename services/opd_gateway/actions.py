"""The inbox's actions end to end: check the case, reserve the step, produce the event.

1. The case must be the caller's: another OPD's case, or one the gateway never consumed, is
   answered as unknown (404), and nothing is emitted.
2. The action must be a transition the shared table allows from the case's status (as last
   consumed, moved on by the actions accepted since): else 409 with the reason.
3. One document per accepted action, keyed `<complaint>:<n>`: a second action racing for the
   same step collides on the key and is answered 409 (read the case again, then retry).
4. The event goes to complaints.updates and the answer waits for Kafka's acknowledgement
   (acks=all). Kafka away: the reservation is withdrawn and the answer is 503 with
   Retry-After; nothing was accepted. Mongo away: 503 before anything is emitted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError
from pymongo.errors import DuplicateKeyError

from services.opd_gateway import metrics
from services.opd_gateway.case import OpdCase
from services.opd_gateway.inbox import (
    ActionBody,
    Refusal,
    check,
    kind_of_action,
    payload_of,
    status_now,
)
from services.opd_gateway.repository import ActionRepository, CaseRepository
from shared.events import Payload, new_event
from shared.events.factory import derived_id
from shared.events.registry import type_of
from shared.kafka.records import Outgoing
from shared.lifecycle import Kind, Status

log = logging.getLogger(__name__)
SOURCE = "/aduan/opd-gateway"


class NotFound(Exception):
    """No such case for this OPD (404)."""


class Conflict(Exception):
    """The case cannot take the action now (409); the message says why."""


class Unavailable(Exception):
    """Kafka did not take the event (503); nothing was accepted."""


@dataclass(frozen=True)
class Accepted:
    """An action turned into an event on complaints.updates."""

    event_id: str
    type: str
    status: Status


class Inbox:
    """The OPD inbox: its cases, and actions on them."""

    def __init__(
        self,
        *,
        cases: CaseRepository,
        actions: ActionRepository,
        producer: Callable[[], KafkaProducer],
        updates_topic: str,
        produce_timeout_s: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._cases = cases
        self._actions = actions
        self._producer = producer
        self._topic = updates_topic
        self._timeout_s = produce_timeout_s
        self._now = clock

    def case(self, opd: str, complaint_id: str) -> OpdCase:
        """Return the OPD's case, or raise NotFound (also for another OPD's case)."""
        case = self._cases.get(complaint_id)
        if case is None or case.opd_code != opd:
            raise NotFound(f"no case {complaint_id!r} for OPD {opd}")
        return case

    def cases_of(self, opd: str, *, status: Status | None, limit: int) -> list[OpdCase]:
        """Return the OPD's cases, newest dispatch first."""
        return self._cases.of_opd(opd, status=status, limit=limit)

    def act(
        self, opd: str, complaint_id: str, body: ActionBody, *, idempotency_key: str | None = None
    ) -> Accepted:
        """Check, reserve and emit one action; raise NotFound, Conflict or Unavailable.

        With an `idempotency_key` the event id derives from (OPD, case, key): a retry of an
        accepted request (its answer lost) is answered with the same event, not emitted again.
        """
        kind = kind_of_action(body)
        payload = payload_of(body, opd, self._now())  # before any look-up: one code path for all
        case = self.case(opd, complaint_id)
        taken = self._actions.of_case(complaint_id)
        event_id = _event_id(opd, complaint_id, idempotency_key, payload)
        earlier = next((a for a in taken if event_id and a["event_id"] == event_id), None)
        if earlier is not None:
            self._count(opd, kind, "repeated")
            return Accepted(event_id or "", type_of(type(payload))[0], Status(earlier["status"]))
        pending = [Kind(a["kind"]) for a in taken if not case.seen(a["event_id"])]
        target = check(status_now(case, pending), kind)
        if isinstance(target, Refusal):
            self._count(opd, kind, "refused")
            raise Conflict(target.reason)
        event = new_event(
            payload, complaint_id=complaint_id, source=SOURCE,
            correlation_id=case.correlation_id, event_id=event_id,
        )  # fmt: skip
        step = len(taken) + 1
        try:
            self._actions.reserve(
                complaint_id, step, event_id=event.id, kind=kind, opd=opd, status=target
            )
        except DuplicateKeyError as exc:
            self._count(opd, kind, "conflict")
            raise Conflict("another action on this case was accepted just now; retry") from exc
        self._emit(opd, kind, complaint_id, step, event)
        self._count(opd, kind, "accepted")
        return Accepted(event.id, event.type, target)

    def _emit(self, opd: str, kind: Kind, complaint_id: str, step: int, event: Any) -> None:
        try:
            out = Outgoing.event(self._topic, event)
            sent = self._producer().send(
                out.topic, key=out.key.encode(), value=out.value, headers=list(out.headers)
            )
            sent.get(timeout=self._timeout_s)
        except KafkaError as exc:
            self._actions.release(complaint_id, step)
            self._count(opd, kind, "unavailable")
            log.warning("Kafka did not take an inbox action", extra={"complaint_id": complaint_id})
            raise Unavailable("the event bus is unavailable; nothing was accepted") from exc

    def _count(self, opd: str, kind: Kind, outcome: str) -> None:
        metrics.INBOX_ACTIONS.labels(opd, kind.value, outcome).inc()


def _event_id(opd: str, complaint_id: str, key: str | None, payload: Payload) -> str | None:
    """The event id a keyed request always gets; None (a fresh ULID) without a key."""
    if key is None:
        return None
    return derived_id(f"{opd}|{complaint_id}|{key}", type_of(type(payload))[0])
