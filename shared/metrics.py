"""Metrics every service shares. Labels stay bounded: topic, outcome, error class; never an id."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CONSUMER_RECORDS = Counter(
    "aduan_consumer_records_total",
    "Records the consume loop finished, by outcome (ok, retried, dead_lettered).",
    ["service", "topic", "outcome"],
)
CONSUMER_SECONDS = Histogram(
    "aduan_consumer_handle_seconds",
    "Time from decode to the handler's sends being queued, per record.",
    ["service", "topic"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
)
DEAD_LETTERS = Counter(
    "aduan_dead_letters_total",
    "Records sent to a dead-letter topic, by source topic and error class.",
    ["service", "topic", "error_class"],
)


class ConsumerMetrics:
    """The consume loop's metrics for one service; label children are cached off the hot path."""

    def __init__(self, service: str) -> None:
        self._service = service
        self._records: dict[tuple[str, str], Counter] = {}
        self._seconds: dict[str, Histogram] = {}

    def observe(self, topic: str, outcome: str, seconds: float) -> None:
        """Count one finished record and its handling time."""
        counter = self._records.get((topic, outcome))
        if counter is None:
            counter = self._records[(topic, outcome)] = CONSUMER_RECORDS.labels(
                self._service, topic, outcome
            )
        counter.inc()
        histogram = self._seconds.get(topic)
        if histogram is None:
            histogram = self._seconds[topic] = CONSUMER_SECONDS.labels(self._service, topic)
        histogram.observe(seconds)

    def dead_lettered(self, topic: str, error_class: str) -> None:
        """Count one record parked in the dead-letter topic."""
        DEAD_LETTERS.labels(self._service, topic, error_class).inc()
        CONSUMER_RECORDS.labels(self._service, topic, "dead_lettered").inc()
