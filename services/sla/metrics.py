"""The sla's metrics. Labels are bounded: status, OPD, region, channel, classification, clock,
level, kind, rule, outcome; never an id.

Correct with several workers: counters and histograms sum across them, and the one gauge of
cases (`sla_backlog_cases`) counts only the partitions this worker owns, recounted from the
store when partitions are assigned, so `sum` over workers is the whole backlog.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

from services.sla.case import Case, FollowUp
from shared.lifecycle import Status

NO_OPD = "none"
NO_REGION = "none"
CLOSED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED, Status.ARCHIVED})
_DAYS = (0.125, 0.25, 0.5, 1, 2, 3, 5, 7, 10, 15, 30, 60)

BACKLOG = Gauge(
    "sla_backlog_cases",
    "Open cases in the partitions this worker owns, by status, OPD, region and whether a "
    "running clock is past its due time (sum over workers).",
    ["status", "opd", "region", "overdue"],
)
RTL = Histogram(
    "sla_rtl_working_days",
    "Working days (HK) from assignment to the OPD's first follow-up of any kind (RTL).",
    ["opd", "region"],
    buckets=_DAYS,
)
TRIAGE = Histogram(
    "sla_triage_working_days",
    "Working days from receipt to the first disposition to an OPD (verification and triage).",
    ["region", "channel"],
    buckets=_DAYS,
)
FOLLOW_UPS = Counter(
    "sla_follow_ups_total",
    "Follow-ups by the kind that counts (normative or substantive) and the rule that decided it.",
    ["opd", "kind", "rule"],
)
FIRST_REPLIES = Counter(
    "sla_first_replies_total",
    "Cases' first follow-ups, by kind: the substantive-reply rate's numerator and denominator.",
    ["opd", "kind"],
)
DISPOSED = Counter(
    "sla_cases_disposed_total",
    "Cases disposed to an OPD (the completion rate's denominator).",
    ["opd", "region", "classification"],
)
RESOLVED = Counter(
    "sla_cases_resolved_total",
    "Resolutions (each case version once): the completion rate's numerator.",
    ["opd", "region", "classification"],
)
BREACHES = Counter(
    "sla_breaches_total",
    "Clocks that passed their due time while running (counted once, with the overdue alert).",
    ["clock", "opd"],
)
ALERTS = Counter("sla_alerts_total", "Alerts sent on sla.alerts.", ["clock", "level", "opd"])
ALERT_DELAY = Histogram(
    "sla_alert_delay_seconds",
    "How long after the instant it fell due each alert was sent.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300, 3600),
)
TIMERS = Gauge("sla_timers", "Cases with a pending alert in this worker's timer heap.")
EVENTS = Counter(
    "sla_events_total",
    "Events the sla finished, by type and outcome (applied, duplicate, rejected).",
    ["event_type", "outcome"],
)

BacklogKey = tuple[str, str, str, str]


def count_event(event_type: str, outcome: str) -> None:
    """Count one finished event."""
    EVENTS.labels(event_type, outcome).inc()


def backlog_key(case: Case, *, overdue: bool) -> BacklogKey | None:
    """The backlog gauge's labels of a case; None when it is no longer open."""
    if case.status in CLOSED_STATUSES:
        return None
    region = case.region_code or NO_REGION
    return (case.status.value, case.opd_code or NO_OPD, region, str(overdue).lower())


class Backlog:
    """Open cases per owned partition; the gauge is the sum over the partitions owned."""

    def __init__(self) -> None:
        self._parts: dict[int, Tally[BacklogKey]] = {}

    def replace(self, partition: int, keys: Iterable[BacklogKey | None]) -> None:
        """Set a newly assigned partition's counts (read from the store)."""
        old = self._parts.get(partition, Tally())
        self._parts[partition] = Tally(key for key in keys if key is not None)
        self._refresh(set(old) | set(self._parts[partition]))

    def drop(self, partitions: Iterable[int]) -> None:
        """Forget partitions this worker no longer owns."""
        gone = [self._parts.pop(p, Tally()) for p in partitions]
        self._refresh({key for tally in gone for key in tally})

    def move(
        self, partition: int | None, before: BacklogKey | None, after: BacklogKey | None
    ) -> None:
        """Move one case between label sets (None: not open) in its partition."""
        if partition is None or before == after or partition not in self._parts:
            return
        tally = self._parts[partition]
        if before is not None and tally[before] > 0:
            tally[before] -= 1
        if after is not None:
            tally[after] += 1
        self._refresh({key for key in (before, after) if key is not None})

    def _refresh(self, keys: Iterable[BacklogKey]) -> None:
        for key in keys:
            total = sum(tally[key] for tally in self._parts.values())
            if total:
                BACKLOG.labels(*key).set(total)
            elif _has(key):
                BACKLOG.remove(*key)


def _has(key: BacklogKey) -> bool:
    return key in BACKLOG._metrics


def observe_change(
    before: Case | None, case: Case, *, rtl_days: float | None, triage_days: float | None
) -> None:
    """Count what a stored change of a case did: first reply, disposition, resolution."""
    opd, region = case.opd_code or NO_OPD, case.region_code or NO_REGION
    classification = case.classification or "unknown"
    for follow_up in _new_follow_ups(before, case):
        FOLLOW_UPS.labels(follow_up.opd, follow_up.effective, follow_up.rule or "declared").inc()
    if case.follow_ups and (before is None or not before.follow_ups):
        FIRST_REPLIES.labels(opd, case.follow_ups[0].effective).inc()
    if rtl_days is not None:
        RTL.labels(opd, region).observe(max(rtl_days, 0.0))
    if case.disposed_at and (before is None or before.disposed_at is None):
        DISPOSED.labels(opd, region, classification).inc()
        if triage_days is not None:
            TRIAGE.labels(region, case.channel or "unknown").observe(max(triage_days, 0.0))
    if case.status is Status.RESOLVED and (before is None or before.status is not Status.RESOLVED):
        RESOLVED.labels(opd, region, classification).inc()


def _new_follow_ups(before: Case | None, case: Case) -> list[FollowUp]:
    seen = {f.event_id for f in before.follow_ups} if before else set()
    return [f for f in case.follow_ups if f.event_id not in seen]
