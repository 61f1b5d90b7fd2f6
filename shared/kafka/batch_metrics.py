"""The consume loop's series of one service, counted once per batch. Each labelled child is
looked up once and kept: `labels()` costs a lock and a dict look-up of the label tuple, paid
several times per batch otherwise."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from kafka.structs import OffsetAndMetadata, TopicPartition

from shared import metrics


class BatchMetrics:
    """Records, dead letters, commits, batch time and lag of one consume loop."""

    def __init__(self, service: str, group: str) -> None:
        self._service = service
        self._group = group
        self._batch_seconds = metrics.CONSUMER_BATCH_SECONDS.labels(service)
        self._commits = metrics.COMMITS.labels(service)
        self._children: dict[tuple[Any, ...], Any] = {}

    def batch_took(self, seconds: float) -> None:
        """One batch was processed and committed in `seconds`."""
        self._batch_seconds.observe(seconds)

    def committed(
        self, batch: dict[TopicPartition, list[Any]], dead: Iterable[tuple[str, str]]
    ) -> None:
        """Count a committed batch's records per topic, and its dead letters by reason."""
        self._commits.inc()
        total: Counter[str] = Counter()
        for tp, records in batch.items():
            total[tp.topic] += len(records)
        dead_letters = Counter(dead)
        dead_per_topic: Counter[str] = Counter()
        for (topic, _reason), n in dead_letters.items():
            dead_per_topic[topic] += n
        self.dead_lettered(dead_letters)
        for topic, n in total.items():
            self._child(metrics.CONSUMER_RECORDS, topic, "ok").inc(n - dead_per_topic[topic])
        for topic, n in dead_per_topic.items():
            self._child(metrics.CONSUMER_RECORDS, topic, "dead_lettered").inc(n)

    def dead_lettered(self, dead: Counter[tuple[str, str]]) -> None:
        """Count dead letters by (source topic, reason)."""
        for (topic, reason), n in dead.items():
            self._child(metrics.DEAD_LETTERS, topic, reason).inc(n)

    def lag(self, tp: TopicPartition, committed: OffsetAndMetadata, high: int | None) -> None:
        """Export a partition's lag after a commit (`high`: its high watermark, if known)."""
        if high is not None:
            lag = max(0, high - committed.offset)
            self._child(metrics.CONSUMER_LAG, self._group, tp.topic, tp.partition).set(lag)

    def _child(self, family: Any, *labels: Any) -> Any:
        key = (id(family), *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = family.labels(self._service, *labels)
        return child
