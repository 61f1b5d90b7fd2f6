"""The consume loop's edge: track each batch's cases and queue their webhook deliveries.

Per batch: one read of every case the batch names, each event applied in order (pure,
`case.track`), then, after the loop's sends (there are none: the gateway produces nothing
from the topics it reads), one insert of the new deliveries and one bulk write of the cases,
in that order, so a crash between them replays the batch and finds the deliveries stored.
Mongo away: the read or the writes fail and the loop holds the batch (nothing committed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from services.opd_gateway import metrics
from services.opd_gateway.case import OpdCase, track
from services.opd_gateway.delivery import Delivery, order_key
from services.opd_gateway.repository import CaseRepository, DeliveryRepository
from shared.events import ComplaintDispatched, Envelope, Payload
from shared.kafka.records import Received, Result, Then


class GatewayHandler:
    """Handle a batch of events from the OPD topics, complaints.updates and complaints.resolved."""

    def __init__(
        self,
        *,
        cases: CaseRepository,
        deliveries: DeliveryRepository,
        webhook_opds: frozenset[str],
        on_queued: Callable[[set[str]], None],
        keep_event_ids: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._cases = cases
        self._deliveries = deliveries
        self._webhook_opds = webhook_opds
        self._on_queued = on_queued
        self._keep = keep_event_ids
        self._now = clock

    def handle(self, batch: Sequence[Received[Envelope[Payload]]]) -> list[Result]:
        """Track the batch's cases; return the work that stores them after the (empty) sends."""
        known = self._cases.get_many(r.item.subject for r in batch)
        changed: dict[str, OpdCase] = {}
        queued: list[Delivery] = []
        stored_at = time.time_ns()
        for position, received in enumerate(batch):
            event = received.item
            before = changed.get(event.subject) or known.get(event.subject)
            after = track(before, event, now=self._now(), keep=self._keep)
            if after is None:
                metrics.EVENTS.labels("not_ours").inc()
                continue
            if after is not before:
                changed[event.subject] = after
            owner = _recipient(before, after, event)
            if after is not before and owner in self._webhook_opds:
                queued.append(self._delivery(owner, received, order_key(stored_at, position)))
        return [Then(lambda: self._store(queued, list(changed.values())))]

    def _delivery(self, opd: str, received: Received[Envelope[Any]], order: str) -> Delivery:
        event = received.item
        return Delivery(
            opd_code=opd, event_id=event.id, event_type=event.type, complaint_id=event.subject,
            body=bytes(received.record.value).decode(), order=order, created_at=self._now(),
        )  # fmt: skip

    def _store(self, queued: list[Delivery], cases: list[OpdCase]) -> None:
        self._deliveries.add(queued)
        self._cases.store(cases)
        metrics.EVENTS.labels("queued").inc(len(queued))
        metrics.EVENTS.labels("tracked").inc(len(cases))
        if queued:
            self._on_queued({d.opd_code for d in queued})


def _recipient(before: OpdCase | None, after: OpdCase, event: Envelope[Payload]) -> str:
    """The OPD an event goes to: a dispatch to the OPD it names, any other event to the owner
    when it happened (a reassignment is told to the OPD losing the case, not the new one)."""
    if before is None or isinstance(event.data, ComplaintDispatched):
        return after.opd_code
    return before.opd_code
