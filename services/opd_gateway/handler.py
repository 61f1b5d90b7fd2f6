"""The consume loop's edge: track each batch's cases and queue their webhook deliveries.

Per batch: one read of every case the batch names, each event applied in order (pure,
`case.track`), then, after the loop's sends (there are none: the gateway produces nothing
from the topics it reads), one insert of the new deliveries and one bulk write of the cases,
in that order, so a crash between them replays the batch and finds the deliveries stored.

Kafka orders a case's records per topic only, so an update may be read before the dispatch
(on the OPD's topic) that made the case ours. Such an event, when it names a registered OPD, is
kept aside (`opd_early_events`) and applied right after the dispatch when it comes.
Mongo away: the read or the writes fail and the loop holds the batch (nothing committed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime

from services.opd_gateway import metrics
from services.opd_gateway.case import OpdCase, Read, track
from services.opd_gateway.delivery import Delivery, order_key
from services.opd_gateway.repository import (
    CaseRepository,
    DeliveryRepository,
    EarlyEventRepository,
)
from shared.events import ComplaintDispatched, Envelope, Payload
from shared.kafka.records import Received, Result, Then


class GatewayHandler:
    """Handle a batch of events from the OPD topics, complaints.updates and complaints.resolved."""

    def __init__(
        self,
        *,
        cases: CaseRepository,
        deliveries: DeliveryRepository,
        early: EarlyEventRepository,
        opds: frozenset[str],
        webhook_opds: frozenset[str],
        on_queued: Callable[[set[str]], None],
        keep_event_ids: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._cases = cases
        self._deliveries = deliveries
        self._early = early
        self._opds = opds
        self._webhook_opds = webhook_opds
        self._on_queued = on_queued
        self._keep = keep_event_ids
        self._now = clock

    def handle(self, batch: Sequence[Received[Envelope[Payload]]]) -> list[Result]:
        """Track the batch's cases; return the work that stores them after the (empty) sends."""
        read = [Read(r.item, bytes(r.record.value).decode()) for r in batch]
        known = self._cases.get_many(r.event.subject for r in read)
        early = self._early.of_cases(_new_dispatches(read, known))
        changed: dict[str, OpdCase] = {}
        queued: list[Delivery] = []
        kept: list[Read] = []
        stored_at = time.time_ns()
        for position, item in enumerate(_with_early(read, early)):
            event = item.event
            before = changed.get(event.subject) or known.get(event.subject)
            after = track(before, event, now=self._now(), keep=self._keep)
            if after is None:
                kept.extend(self._maybe_ours(item))
                continue
            if after is not before:
                changed[event.subject] = after
            owner = _recipient(before, after, event)
            if after is not before and owner in self._webhook_opds:
                queued.append(self._delivery(owner, item, order_key(stored_at, position)))
        used = [item.event.id for items in early.values() for item in items]
        return [Then(lambda: self._store(queued, list(changed.values()), kept, used))]

    def _maybe_ours(self, item: Read) -> list[Read]:
        """An event of a case not known yet: kept when it names one of our OPDs, since Kafka
        may give it before its case's dispatch (another topic); else it is another OPD's."""
        if _opds_named(item.event.data) & self._opds:
            metrics.EVENTS.labels("early").inc()
            return [item]
        metrics.EVENTS.labels("not_ours").inc()
        return []

    def _delivery(self, opd: str, item: Read, order: str) -> Delivery:
        event = item.event
        return Delivery(
            opd_code=opd, event_id=event.id, event_type=event.type, complaint_id=event.subject,
            body=item.body, order=order, created_at=self._now(),
        )  # fmt: skip

    def _store(
        self, queued: list[Delivery], cases: list[OpdCase], kept: list[Read], used: list[str]
    ) -> None:
        self._deliveries.add(queued)
        self._early.add([(r.event.subject, r.event.id, r.body) for r in kept])
        self._cases.store(cases)
        self._early.remove(used)  # last: a crash before it replays them, and they are seen
        metrics.EVENTS.labels("queued").inc(len(queued))
        metrics.EVENTS.labels("tracked").inc(len(cases))
        if queued:
            self._on_queued({d.opd_code for d in queued})


def _new_dispatches(read: Sequence[Read], known: Mapping[str, OpdCase]) -> set[str]:
    return {
        r.event.subject
        for r in read
        if isinstance(r.event.data, ComplaintDispatched) and r.event.subject not in known
    }


def _with_early(read: Sequence[Read], early: Mapping[str, list[Read]]) -> Iterator[Read]:
    """The batch, each new case's early events right after its dispatch."""
    for item in read:
        yield item
        if isinstance(item.event.data, ComplaintDispatched):
            yield from early.get(item.event.subject, [])


def _opds_named(data: Payload) -> set[str]:
    names = (getattr(data, "opd_code", None), getattr(data, "previous_opd", None))
    return {name for name in names if isinstance(name, str)}


def _recipient(before: OpdCase | None, after: OpdCase, event: Envelope[Payload]) -> str:
    """The OPD an event goes to: a dispatch to the OPD it names, any other event to the owner
    when it happened (a reassignment is told to the OPD losing the case, not the new one)."""
    if before is None or isinstance(event.data, ComplaintDispatched):
        return after.opd_code
    return before.opd_code
