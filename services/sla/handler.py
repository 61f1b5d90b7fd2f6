"""What the sla does with one complaint event: load the case, decide, store, project, emit.

It runs inside the shared consume loop, which dead-letters what raises: InvalidTransition at
once, Mongo hiccups (and StaleCase) after bounded retries. The case state is stored before the
loop sends what this returns; if that send fails the loop replays the event, which is then a
duplicate and re-emits the CaseResolved (the publisher's ledger keeps it to one publication).
"""

from __future__ import annotations

import logging
from typing import Any

from services.sla import metrics
from services.sla.case import Case, Status
from services.sla.lifecycle import Applied, Duplicate, Rejected, apply, case_resolved
from services.sla.repository import CaseRepository, StateRepository
from services.sla.view import to_document
from shared.events import Envelope, Payload, follow
from shared.kafka.loop import Outgoing

log = logging.getLogger(__name__)


class InvalidTransition(ValueError):
    """The event is not a valid step of its case's lifecycle."""


class CaseHandler:
    """Applies complaint events to the case state, the public view and `complaints.resolved`."""

    def __init__(
        self,
        *,
        states: StateRepository,
        views: CaseRepository,
        service: str,
        resolved_topic: str,
        keep_event_ids: int = 64,
    ) -> None:
        self._states = states
        self._views = views
        self._source = f"/aduan/{service}"
        self._resolved_topic = resolved_topic
        self._keep_event_ids = keep_event_ids

    def handle(self, event: Envelope[Payload]) -> list[Outgoing]:
        """Apply one event; return the CaseResolved to send, if the case got resolved."""
        current, revision = self._states.load(event.subject)
        decision = apply(current, event, keep_event_ids=self._keep_event_ids)
        if isinstance(decision, Rejected):
            metrics.count_event(event.type, "rejected")
            raise InvalidTransition(decision.reason)
        if isinstance(decision, Duplicate):
            metrics.count_event(event.type, "duplicate")
            self._project(decision.case)  # heals a view whose earlier write failed
            return self._resolution(event, decision.case)
        self._states.save(decision.case, revision)
        metrics.track_case(decision.previous, decision.case)
        metrics.count_event(event.type, "applied")
        log.info("case %s", decision.case.status, extra=_ids(event))
        self._project(decision.case)
        return self._emit(event, decision)

    def _emit(self, event: Envelope[Any], decision: Applied) -> list[Outgoing]:
        if decision.resolved is None:
            return []
        resolved = follow(event, decision.resolved, source=self._source)
        return [Outgoing.event(self._resolved_topic, resolved)]

    def _resolution(self, event: Envelope[Any], case: Case) -> list[Outgoing]:
        """On a replay, send the resolution again: the first send may not have reached Kafka."""
        if case.status is not Status.RESOLVED or case.resolved_emitted_version < case.version:
            return []
        resolved = follow(event, case_resolved(case), source=self._source)
        return [Outgoing.event(self._resolved_topic, resolved)]

    def _project(self, case: Case) -> None:
        """Write the public view; a case known only from OPD events has no tracking number yet,
        so no view: citizens look cases up by it."""
        if case.tracking_number is not None:
            self._views.upsert(to_document(case))


def _ids(event: Envelope[Any]) -> dict[str, str]:
    return {"complaint_id": event.subject, "correlation_id": event.correlation_id}
