"""Turning a decision into the events the router sends: pure, no clients."""

from __future__ import annotations

from datetime import datetime

from services.router.decide import ComplaintFields, Decision
from shared.events import (
    ComplaintAssigned,
    ComplaintDispatched,
    ComplaintReceived,
    ComplaintTriageStub,
    Envelope,
    Payload,
    follow,
)

SOURCE = "/aduan/router"


def fields_of(complaint: ComplaintReceived) -> ComplaintFields:
    """Return what routing looks at in a received complaint."""
    return ComplaintFields(
        text=complaint.body,
        title=complaint.title,
        region=complaint.location.region_code,
        channel=complaint.channel,
        category=complaint.category_hint,
        classification=complaint.classification_hint,
    )


def assignment(
    complaint: ComplaintReceived, decision: Decision, now: datetime
) -> ComplaintAssigned:
    """Return the assignment payload."""
    return ComplaintAssigned(
        tracking_number=complaint.tracking_number,
        opd_code=decision.queue,
        triage=decision.triage,
        rule_id=decision.rule_id,
        ruleset_version=decision.ruleset_version,
        priority=decision.priority,
        deadline_class=decision.deadline_class,
        assigned_at=now,
        not_competent=decision.not_competent,
    )


def for_opd(complaint: ComplaintReceived) -> ComplaintReceived:
    """Return the complaint as an OPD may see it: when it is anonymous, no reporter block and
    no link to the public post (it names its author)."""
    if complaint.anonymous:
        entry = complaint.entry.model_copy(update={"source_url": None})
        return complaint.model_copy(update={"reporter": None, "entry": entry})
    return complaint


def for_queue(complaint: ComplaintReceived, assigned: ComplaintAssigned) -> Payload:
    """Return what the queue's topic carries: the dispatch, or, for a confidential case at a
    triage desk (a topic many coordinators read), a stub without reporter, title or text."""
    if assigned.triage and complaint.confidential:
        return ComplaintTriageStub(
            assignment=assigned,
            channel=complaint.channel,
            received_at=complaint.received_at,
            category_hint=complaint.category_hint,
            classification_hint=complaint.classification_hint,
            region_code=complaint.location.region_code,
            anonymous=complaint.anonymous,
        )
    return ComplaintDispatched(assignment=assigned, complaint=for_opd(complaint))


def route_events(
    received: Envelope[ComplaintReceived], decision: Decision
) -> tuple[Envelope[ComplaintAssigned], Envelope[Payload]]:
    """Return the assigned event and the dispatched event, both following `received`.

    Routing is automatic and immediate, so the assignment is dated at the complaint's receipt:
    a replay of the same received event then yields the very same events (same ids, same
    times), and a router that catches up after an outage does not shorten the OPD's clocks.
    """
    assigned = assignment(received.data, decision, received.time)
    queued = for_queue(received.data, assigned)
    return follow(received, assigned, source=SOURCE), follow(received, queued, source=SOURCE)
