"""The publisher's metrics. Labels: target and outcome or state only, never a complaint id."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SENDS = Counter(
    "publisher_sends_total",
    "Publication attempts by target and outcome (sent, skipped_duplicate, transient_error, "
    "rejected, breaker_open, unmappable).",
    ["target", "outcome"],
)
SEND_SECONDS = Histogram(
    "publisher_send_duration_seconds",
    "Time of one HTTP call to a target, whatever its outcome.",
    ["target", "call"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BREAKER_STATE = Gauge(
    "publisher_breaker_state",
    "Circuit breaker of each target: 0 closed, 1 half-open, 2 open.",
    ["target"],
)
LEDGER_TRANSITIONS = Counter(
    "publisher_ledger_transitions_total",
    "Ledger entries moved to a state (pending on every claim, sent, failed).",
    ["target", "state"],
)
LOOK_UPS = Counter(
    "publisher_look_ups_total",
    "Look-ups at the target after a create whose outcome was unknown (found, absent).",
    ["target", "outcome"],
)
OLDEST_PENDING = Gauge(
    "publisher_oldest_pending_seconds",
    "Age of the oldest publication claimed but not yet sent or refused, per target.",
    ["target"],
)
RETRIES = Counter(
    "publisher_retries_total",
    "Publications tried again after an earlier attempt did not finish (ledger attempts > 1).",
    ["target"],
)
DEAD = Counter(
    "publisher_dead_total",
    "Publications refused for good by the target or the mapping (dead-lettered).",
    ["target"],
)
IN_FLIGHT = Gauge(
    "publisher_in_flight_cases",
    "Cases whose sends are running now, per target (bounded by PUBLISHER_MAX_IN_FLIGHT).",
    ["target"],
)
AUTH_FAILURES = Counter(
    "publisher_auth_failures_total",
    "Calls a target refused with 401/403 also after the token was re-read (the cases wait).",
    ["target"],
)
ATTACHMENTS = Counter(
    "publisher_attachments_total",
    "Attachments handed to a target, by form: bytes (fetched and uploaded) or reference.",
    ["target", "form"],
)

_OUTCOMES = (
    "sent",
    "skipped_duplicate",
    "transient_error",
    "rejected",
    "breaker_open",
    "unmappable",
)


def start_at_zero(targets: tuple[str, ...]) -> None:
    """Create every known label set at 0, so the first increase is visible to `increase()`."""
    for target in targets:
        for outcome in _OUTCOMES:
            SENDS.labels(target, outcome)
        RETRIES.labels(target)
        DEAD.labels(target)
        AUTH_FAILURES.labels(target)
        OLDEST_PENDING.labels(target)
        IN_FLIGHT.labels(target)
        BREAKER_STATE.labels(target)
