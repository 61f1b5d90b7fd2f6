"""The sla's metrics. Labels are bounded: status, OPD code, event type, outcome; never an id."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

from services.sla.case import Case

CASES = Gauge(
    "sla_cases",
    "Cases by status and OPD, counted at start-up and kept by this worker since.",
    ["status", "opd"],
)
TIME_TO_FIRST_FOLLOW_UP = Histogram(
    "sla_time_to_first_follow_up_seconds",
    "Time from assignment to the OPD's first follow-up (wall-clock; working days come later).",
    ["opd"],
    buckets=(3_600, 4 * 3_600, 86_400, 2 * 86_400, 3 * 86_400, 5 * 86_400, 7 * 86_400, 14 * 86_400),
)
EVENTS = Counter(
    "sla_events_total",
    "Events the sla finished, by type and outcome (applied, duplicate, rejected).",
    ["event_type", "outcome"],
)

NO_OPD = "none"


def count_event(event_type: str, outcome: str) -> None:
    """Count one finished event."""
    EVENTS.labels(event_type, outcome).inc()


def track_case(previous: Case | None, case: Case) -> None:
    """Move the case between gauge buckets and observe a first follow-up once."""
    if previous is not None:
        CASES.labels(previous.status, previous.opd_code or NO_OPD).dec()
    CASES.labels(case.status, case.opd_code or NO_OPD).inc()
    had_both = previous is not None and _follow_up_delay(previous) is not None
    delay = _follow_up_delay(case)
    if delay is not None and not had_both:
        TIME_TO_FIRST_FOLLOW_UP.labels(case.opd_code or NO_OPD).observe(max(delay, 0.0))


def reset_cases(cases: Iterable[Case]) -> None:
    """Set the case gauge from every stored case (at start-up)."""
    tally = Tally((case.status, case.opd_code or NO_OPD) for case in cases)
    CASES.clear()
    for (status, opd), count in tally.items():
        CASES.labels(status, opd).set(count)


def _follow_up_delay(case: Case) -> float | None:
    if case.assigned_at is None or case.first_follow_up_at is None:
        return None
    return (case.first_follow_up_at - case.assigned_at).total_seconds()
