"""Metrics every service shares. Labels stay bounded: service, topic, partition, outcome,
dependency, reason; never an id. Labelled series a rule watches start at zero, so the first
increment is an increase Prometheus can see."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

CONSUMER_RECORDS = Counter(
    "aduan_consumer_records_total",
    "Records the consume loop finished, by outcome (ok, dead_lettered).",
    ["service", "topic", "outcome"],
)
CONSUMER_BATCH_SECONDS = Histogram(
    "aduan_consumer_batch_seconds",
    "Time to process one polled batch (decode, handle, send, flush, commit).",
    ["service"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DEAD_LETTERS = Counter(
    "aduan_dead_letters_total",
    "Records sent to a dead-letter topic, by source topic and reason "
    "(poison: undecodable or invalid; refused: the handler refused it; failed: it raised).",
    ["service", "topic", "reason"],
)
DEAD_LETTER_REASONS = ("poison", "refused", "failed")
COMMITS = Counter(
    "aduan_consumer_commits_total", "Batches whose offsets were committed.", ["service"]
)
BATCH_RETRIES = Counter(
    "aduan_consumer_batch_retries_total",
    "Batches held back and tried again because a dependency was unavailable.",
    ["service", "dependency"],
)
DEPENDENCY_UP = Gauge(
    "aduan_dependency_up",
    "1 while the dependency answers, 0 while the loop waits for it.",
    ["service", "dependency"],
)
PAUSED_PARTITIONS = Gauge(
    "aduan_consumer_paused_partitions",
    "Partitions paused while a dependency is unavailable.",
    ["service"],
)
STALLED_SECONDS = Gauge(
    "aduan_consumer_stalled_seconds",
    "How long records have waited without a commit (0 while the loop makes progress).",
    ["service"],
)
CONSUMER_LAG = Gauge(
    "aduan_consumer_lag",
    "Records in the partition not yet committed by the group (high watermark - committed).",
    ["service", "group", "topic", "partition"],
)


def start_at_zero(service: str, topics: Iterable[str], dependencies: Iterable[str]) -> None:
    """Create the watched series of one consume service with their zero values."""
    for topic in topics:
        for outcome in ("ok", "dead_lettered"):
            CONSUMER_RECORDS.labels(service, topic, outcome)
        for reason in DEAD_LETTER_REASONS:
            DEAD_LETTERS.labels(service, topic, reason)
    COMMITS.labels(service)
    for dependency in dependencies:
        BATCH_RETRIES.labels(service, dependency)
        DEPENDENCY_UP.labels(service, dependency).set(1)
    PAUSED_PARTITIONS.labels(service).set(0)
    STALLED_SECONDS.labels(service).set(0)
