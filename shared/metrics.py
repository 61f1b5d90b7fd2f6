"""Metrics every service shares. Labels stay bounded: topic, outcome, error class; never an id."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import Counter, Histogram

CONSUMER_RECORDS = Counter(
    "aduan_consumer_records_total",
    "Records the consume loop finished, by outcome (ok, retried, dead_lettered).",
    ["service", "topic", "outcome"],
)
CONSUMER_BATCH_SECONDS = Histogram(
    "aduan_consumer_batch_seconds",
    "Time to process one polled batch of one partition (decode, handle, queue the sends).",
    ["service", "topic"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DEAD_LETTERS = Counter(
    "aduan_dead_letters_total",
    "Records sent to a dead-letter topic, by source topic and error class.",
    ["service", "topic", "error_class"],
)


class ConsumerMetrics:
    """The consume loop's metrics for one service."""

    def __init__(self, service: str) -> None:
        self._service = service

    def observe_batch(self, topic: str, outcomes: Mapping[str, int], seconds: float) -> None:
        """Count one partition batch's records by outcome, and its processing time."""
        for outcome, count in outcomes.items():
            CONSUMER_RECORDS.labels(self._service, topic, outcome).inc(count)
        CONSUMER_BATCH_SECONDS.labels(self._service, topic).observe(seconds)

    def dead_lettered(self, topic: str, error_class: str) -> None:
        """Count one record parked in the dead-letter topic."""
        DEAD_LETTERS.labels(self._service, topic, error_class).inc()
