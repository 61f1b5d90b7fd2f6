"""The gateway's metrics. Labels: OPD code (the configured ones), outcome, action; never a
complaint id."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DELIVERIES = Counter(
    "opd_gateway_deliveries_total",
    "Webhook attempts by OPD and outcome (delivered, retry, rejected, unreachable, breaker_open).",
    ["opd", "outcome"],
)
DELIVERY_SECONDS = Histogram(
    "opd_gateway_delivery_duration_seconds",
    "Time of one webhook call, whatever its outcome.",
    ["opd"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
PENDING = Gauge(
    "opd_gateway_pending_deliveries",
    "Deliveries of an OPD waiting to go out, as its worker last counted them.",
    ["opd"],
)
BREAKER_STATE = Gauge(
    "opd_gateway_breaker_state",
    "Circuit breaker of each OPD's webhook: 0 closed, 1 half-open, 2 open.",
    ["opd"],
)
EVENTS = Counter(
    "opd_gateway_events_total",
    "Consumed events by what the gateway did with them (tracked, queued, early, not_ours).",
    ["outcome"],
)
INBOX_ACTIONS = Counter(
    "opd_gateway_inbox_actions_total",
    "Inbox actions by OPD, action and outcome (accepted, refused, conflict, unavailable).",
    ["opd", "action", "outcome"],
)


def start_at_zero(webhook_opds: list[str]) -> None:
    """Export every OPD's series from the start, so a first failure is an increase."""
    for opd in webhook_opds:
        for outcome in ("delivered", "retry", "rejected", "unreachable", "breaker_open"):
            DELIVERIES.labels(opd, outcome)
        PENDING.labels(opd).set(0)
        BREAKER_STATE.labels(opd).set(0)
