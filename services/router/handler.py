"""The consume-loop edge: decode a received event, decide, and say what to send."""

from __future__ import annotations

import logging

from services.router import metrics
from services.router.config import Settings
from services.router.decide import decide
from services.router.events import fields_of, route_events
from services.router.store import RulesStore
from services.router.triage import TriagedCase
from shared.events import ComplaintReceived, Envelope, decode
from shared.kafka.loop import Outgoing

log = logging.getLogger(__name__)


def decode_received(raw: bytes) -> Envelope[ComplaintReceived]:
    """Parse a `complaints.received` record; anything but a ComplaintReceived is poison."""
    event = decode(raw)
    if not isinstance(event.data, ComplaintReceived):
        raise ValueError(f"expected a received complaint, got {event.type}")
    return event  # type: ignore[return-value]  # the isinstance above narrows the payload


class Router:
    """Routes one received complaint to its OPD's topic and announces the assignment."""

    def __init__(self, settings: Settings, store: RulesStore) -> None:
        self._settings = settings
        self._store = store
        self._triaged: list[TriagedCase] = []

    def take_triaged(self) -> list[TriagedCase]:
        """The cases sent to a triage desk since the last call (to store in the queue)."""
        taken, self._triaged = self._triaged, []
        return taken

    def handle(self, event: Envelope[ComplaintReceived]) -> list[Outgoing]:
        """Decide and return the assigned and dispatched records (the loop sends them)."""
        decision = decide(fields_of(event.data), self._store.current())
        assigned, dispatched = route_events(event, decision)
        metrics.decided(decision.queue, decision.outcome)
        if decision.triage:
            self._triaged.append(
                TriagedCase(
                    complaint_id=event.subject,
                    correlation_id=event.correlation_id,
                    desk=decision.queue,
                    triaged_at=event.time,
                    not_competent=decision.not_competent,
                    institution=decision.institution,
                    complaint=event.data,
                )
            )
        log.info(
            "routed",
            extra={
                "complaint_id": event.subject,
                "correlation_id": event.correlation_id,
                "opd": decision.queue,
                "outcome": decision.outcome,
                "rule_id": decision.rule_id,
                "ruleset_version": decision.ruleset_version,
            },
        )
        return [
            Outgoing.event(self._settings.topics.assigned, assigned),
            Outgoing.event(self._settings.topics.opd(decision.queue), dispatched),
        ]
