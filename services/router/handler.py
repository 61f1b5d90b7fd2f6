"""The consume-loop edge: route received complaints and returned cases, say what to send and
what to store once it is sent.

The router reads `complaints.received` and, when it keeps its cases (Mongo), `complaints.updates`
for `ComplaintReturned`; the other updates are the sla's and pass by. On the received topic
anything but a `ComplaintReceived` is poison (dead-lettered). A return of a case the router never
routed is refused to `complaints.updates.dlq` with the reason: it cannot be routed again here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.router import metrics
from services.router.cases import MongoCases, RoutedCase
from services.router.config import Settings
from services.router.decide import Decision, decide
from services.router.events import fields_of, route_events
from services.router.reroute import reroute
from services.router.rules import RuleSet
from services.router.store import RulesStore
from services.router.triage import TriagedCase, TriageStore
from shared.events import ComplaintReceived, ComplaintReturned, Envelope
from shared.kafka.records import Outgoing, Received, Refused, Result, Then
from shared.retry import dependency_of

log = logging.getLogger(__name__)


class UnknownCase(ValueError):
    """A return of a case this router never routed (or whose document is gone)."""


@dataclass
class _Batch:
    """What one batch routed: to store and count once its records are sent."""

    routed: list[RoutedCase] = field(default_factory=list)
    rerouted: dict[str, RoutedCase] = field(default_factory=dict)
    triaged: list[TriagedCase] = field(default_factory=list)  # newly, at receipt
    retriaged: list[TriagedCase] = field(default_factory=list)  # after a return
    decisions: list[Decision] = field(default_factory=list)
    returns: list[tuple[str, str]] = field(default_factory=list)  # (opd, outcome)
    received_at: list[float] = field(default_factory=list)  # event times, epoch seconds


class Router:
    """Routes a batch: received complaints to their OPD, returned cases to the next one."""

    def __init__(
        self,
        settings: Settings,
        store: RulesStore,
        cases: MongoCases | None = None,
        triage: TriageStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._topics = settings.topics
        self._store = store
        self._cases = cases
        self._triage = triage
        self._clock = clock

    def handle(self, batch: Sequence[Received[Envelope[Any]]]) -> list[Result]:
        """Return the batch's records, its refusals, and a `Then` storing what it changed."""
        rules = self._store.current()
        done = _Batch()
        known = self._known(batch)
        results: list[Result] = []
        for received in batch:
            try:
                results.extend(self._one(received, rules, known, done))
            except Exception as exc:
                if dependency_of(exc) is not None:
                    raise
                results.append(Refused(received, exc))
        results.append(Then(lambda: self._store_and_count(done)))
        return results

    def _one(
        self, received: Received[Envelope[Any]], rules: RuleSet,
        known: dict[str, RoutedCase], done: _Batch,
    ) -> list[Outgoing]:  # fmt: skip
        event = received.item
        if isinstance(event.data, ComplaintReceived):
            return self._route(event, rules, known, done)
        if received.record.topic == self._topics.received:
            raise ValueError(f"expected a received complaint, got {event.type}")
        if isinstance(event.data, ComplaintReturned) and self._cases is not None:
            return self._reroute(event, rules, known, done)
        return []  # another update: the sla's business

    def _route(
        self, event: Envelope[ComplaintReceived], rules: RuleSet,
        known: dict[str, RoutedCase], done: _Batch,
    ) -> list[Outgoing]:  # fmt: skip
        decision = decide(fields_of(event.data), rules)
        assigned, queued = route_events(event, decision)
        case = RoutedCase(
            complaint_id=event.subject,
            correlation_id=event.correlation_id,
            opd=decision.queue,
            complaint=event.data,
        )
        known.setdefault(case.complaint_id, case)  # a return later in this batch finds it
        done.routed.append(case)
        done.decisions.append(decision)
        done.received_at.append(event.time.timestamp())
        if decision.triage:
            done.triaged.append(_triaged(event, decision))
        _log("routed", event, decision)
        return [
            Outgoing.event(self._topics.assigned, assigned),
            Outgoing.event(self._topics.opd(decision.queue), queued),
        ]

    def _reroute(
        self, event: Envelope[ComplaintReturned], rules: RuleSet,
        known: dict[str, RoutedCase], done: _Batch,
    ) -> list[Outgoing]:  # fmt: skip
        case = known.get(event.subject)
        if case is None:
            done.returns.append((event.data.opd_code, "unknown_case"))
            raise UnknownCase(f"returned by {event.data.opd_code}: the router has no case "
                              f"{event.subject!r} to route again")  # fmt: skip
        result = reroute(event, case, rules, self._topics)
        done.returns.append((event.data.opd_code, result.outcome))
        if result.case is not None:
            known[event.subject] = done.rerouted[event.subject] = result.case
        if result.triaged is not None:
            done.retriaged.append(result.triaged)
        if result.decision is not None:
            done.decisions.append(result.decision)
            _log("rerouted", event, result.decision)
        return result.records

    def _known(self, batch: Sequence[Received[Envelope[Any]]]) -> dict[str, RoutedCase]:
        """The stored cases the batch's returns name: one read per batch, none without one."""
        returned = [r.item.subject for r in batch if isinstance(r.item.data, ComplaintReturned)]
        if self._cases is None or not returned:
            return {}
        return self._cases.get_many(returned)

    def _store_and_count(self, done: _Batch) -> None:
        """After the sends: store the triaged cases, then the routed ones (a case's document
        marks its return handled: written last, so a failed write replays the whole), then
        count (a failed store counts nothing)."""
        if self._triage is not None:
            self._triage.add(done.triaged)
            self._triage.put(done.retriaged)
        if self._cases is not None:
            self._cases.add(done.routed)
            self._cases.replace(done.rerouted.values())
        for decision in done.decisions:
            metrics.decided(decision.queue, decision.outcome, decision.rule_id)
        for opd, outcome in done.returns:
            metrics.returned(opd, outcome)
        now = self._clock()
        metrics.dispatched(now - at for at in done.received_at)


def _triaged(event: Envelope[ComplaintReceived], decision: Decision) -> TriagedCase:
    return TriagedCase(
        complaint_id=event.subject,
        correlation_id=event.correlation_id,
        desk=decision.queue,
        triaged_at=event.time,
        not_competent=decision.not_competent,
        institution=decision.institution,
        complaint=event.data,
    )


def _log(message: str, event: Envelope[Any], decision: Decision) -> None:
    log.info(
        message,
        extra={
            "complaint_id": event.subject,
            "correlation_id": event.correlation_id,
            "opd": decision.queue,
            "outcome": decision.outcome,
            "rule_id": decision.rule_id,
            "ruleset_version": decision.ruleset_version,
        },
    )
