"""The notifier's metrics. Labels: channel, kind and outcome only, never a complaint id."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

MESSAGES = Counter(
    "notify_messages_total",
    "Messages to reporters by outbound channel, moment and outcome (sent; duplicate: the "
    "ledger had it; no_contact: an anonymous reporter without contact, or none usable).",
    ["channel", "kind", "outcome"],
)
WAITING = Counter(
    "notify_waiting_events_total",
    "Events kept until their complaint's receipt arrived (read before it, from another topic).",
)
MAILS = Counter(
    "notify_mails_total",
    "E-mails by outcome (sent; duplicate: sent before; refused: a permanent 5xx, dead-lettered).",
    ["outcome"],
)
SMTP_SECONDS = Histogram(
    "notify_smtp_duration_seconds",
    "Time of one SMTP delivery (connect, send, quit), whatever its outcome.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
