"""A returned case routed again: pure, no clients.

An OPD returns a case as not its competence (`ComplaintReturned` on complaints.updates; the sla
moves the case to triage). The router decides again with every OPD that returned it excluded:
- the next matching rule names an OPD: `ComplaintReassigned` on complaints.assigned (the sla
  moves the case from triage to that OPD) and the dispatch to the OPD's topic;
- else (no rule, or bukan wewenang): the dispatch (or a confidential case's stub) to the
  province's triage desk, and the case joins the triage queue with the exclusions.
Every event follows the return (`follow`), so a replay of the same return yields the same event
ids. The case's document remembers each return handled and the exclusions it was decided with: a
replay (a transaction aborted after the document was written, or the OPD sending its return
twice) sends the very same events again, which consumers drop by event id, and changes no state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.router.cases import RoutedCase
from services.router.decide import Decision, decide
from services.router.events import SOURCE, assignment, fields_of, for_queue
from services.router.rules import RuleSet
from services.router.triage import TriagedCase
from shared.config import Topics
from shared.events import ComplaintReassigned, ComplaintReturned, Envelope, follow
from shared.kafka.records import Outgoing

BY = "router"  # who moved the case, on the ComplaintReassigned


@dataclass(frozen=True)
class Rerouted:
    """What a return leads to: the outcome (a metrics label), records, the case's new state."""

    outcome: str  # rerouted | triage | not_holder | replayed
    records: list[Outgoing] = field(default_factory=list)
    case: RoutedCase | None = None  # None: nothing to store
    triaged: TriagedCase | None = None
    decision: Decision | None = None


def reroute(
    returned: Envelope[ComplaintReturned], case: RoutedCase, rules: RuleSet, topics: Topics
) -> Rerouted:
    """Decide the returned case again without the OPDs that returned it."""
    opd = returned.data.opd_code
    seen = case.returns.get(returned.id)
    if seen is None and opd != case.opd:  # not its case: the sla refuses such a return too
        return Rerouted("not_holder")
    excluded = seen if seen is not None else sorted({*case.excluded, opd})
    decision = decide(fields_of(case.complaint), rules, frozenset(excluded))
    assigned = assignment(case.complaint, decision, returned.time)
    queued = follow(returned, for_queue(case.complaint, assigned), source=SOURCE)
    records = [Outgoing.event(topics.opd(decision.queue), queued)]
    if not decision.triage:
        records.insert(0, _reassigned(returned, case, decision, topics))
    if seen is not None:
        return Rerouted("replayed", records, decision=decision)
    returns = {**case.returns, returned.id: excluded}
    moved = case.model_copy(
        update={"opd": decision.queue, "excluded": excluded, "returns": returns}
    )
    if decision.triage:
        return Rerouted("triage", records, moved, _triaged(returned, moved, decision), decision)
    return Rerouted("rerouted", records, moved, None, decision)


def _reassigned(
    returned: Envelope[ComplaintReturned], case: RoutedCase, decision: Decision, topics: Topics
) -> Outgoing:
    opd = returned.data.opd_code
    reassigned = ComplaintReassigned(
        tracking_number=case.complaint.tracking_number,
        opd_code=decision.queue,
        previous_opd=opd,
        by=BY,
        reason=f"returned by {opd}: {returned.data.reason}",
        rule_id=decision.rule_id,
        ruleset_version=decision.ruleset_version,
        priority=decision.priority,
        deadline_class=decision.deadline_class,
        reassigned_at=returned.time,
    )
    return Outgoing.event(topics.assigned, follow(returned, reassigned, source=SOURCE))


def _triaged(
    returned: Envelope[ComplaintReturned], case: RoutedCase, decision: Decision
) -> TriagedCase:
    return TriagedCase(
        complaint_id=case.complaint_id,
        correlation_id=case.correlation_id,
        desk=decision.queue,
        triaged_at=returned.time,
        not_competent=decision.not_competent,
        institution=decision.institution,
        excluded=case.excluded,
        complaint=case.complaint,
    )
