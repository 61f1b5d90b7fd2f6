"""The intake's metrics. Labels stay bounded: channel and outcome, never an id."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SUBMISSIONS = Counter(
    "intake_submissions_total",
    "Submissions answered, by channel and outcome (accepted, duplicate, partial, invalid, too_large, "
    "unauthorized, unavailable).",
    ["channel", "outcome"],
)
OUTBOX_PENDING = Gauge(
    "intake_outbox_pending_complaints",
    "Stored complaints whose ComplaintReceived event the broker has not acknowledged yet.",
)
OUTBOX_PUBLISHED = Counter(
    "intake_outbox_published_total",
    "ComplaintReceived events the broker acknowledged.",
)
OUTBOX_FAILURES = Counter(
    "intake_outbox_failures_total",
    "Relay rounds that could not publish, by reason (connect, send, flush, mongo, undecodable, "
    "mark: acknowledged but not marked published, so sent again after the lease).",
    ["reason"],
)
OUTBOX_DELAY = Histogram(
    "intake_outbox_delay_seconds",
    "Time from a complaint being stored to its event being acknowledged.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)
RAW_RECORDS = Counter(
    "intake_raw_records_total",
    "Records consumed from intake.raw.<channel>, by channel and outcome (accepted, duplicate, "
    "partial, refused).",
    ["channel", "outcome"],
)
DUPLICATE_LINKING = Counter(
    "intake_duplicate_linking_total",
    "Possible-duplicate look-ups and filings, by outcome (linked, none, error, file_error).",
    ["outcome"],
)
